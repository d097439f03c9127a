// Jenkinsfile stage from `jeeves snippet`: runs the collection api/it's $HOME.json with
// Postman CLI and lints specs/a "b" \c.yaml with Spectral, on a macOS agent (sh steps).
// Paste it inside `stages { }` of a declarative pipeline.
// The agent needs Node.js 18.18 or newer with npm; the tools are installed into
// .jeeves-tools/.
// The Postman API key comes from the Jenkins "Secret text" credential 'team's postman
// key'.
// Reports go to jeeves-reports/it-s-HOME/ and are archived; jeeves finds them there by
// their content. Failed tests or lint errors mark the build UNSTABLE; the reports are
// archived either way.
stage('API tests: it\'s $HOME') {
    steps {
        withEnv(["PATH+JEEVES_TOOLS=${env.WORKSPACE}/.jeeves-tools/node_modules/.bin"]) {
            sh '''
                rm -rf jeeves-reports/it-s-HOME
                mkdir -p jeeves-reports/it-s-HOME
                if [ ! -x .jeeves-tools/node_modules/.bin/postman ] || [ ! -x .jeeves-tools/node_modules/.bin/spectral ]; then
                    npm install --prefix .jeeves-tools --no-audit --no-fund postman-cli@1 @stoplight/spectral-cli@6
                fi
                echo 'extends: ["spectral:oas"]' > .jeeves-tools/spectral-oas.yaml
            '''
            withCredentials([string(credentialsId: 'team\'s postman key', variable: 'POSTMAN_API_KEY')]) {
                sh 'postman login --with-api-key "$POSTMAN_API_KEY"'
                catchError(buildResult: 'UNSTABLE', stageResult: 'UNSTABLE') {
                    sh '''
                        postman collection run 'api/it'\\\''s $HOME.json' \
                            --reporters cli,json,junit \
                            --reporter-json-export jeeves-reports/it-s-HOME/postman-cli.json \
                            --reporter-json-omitResponseBodies \
                            --reporter-junit-export jeeves-reports/it-s-HOME/postman-cli-junit.xml
                    '''
                }
                // Postman's governance and security rules (reported to Postman; needs
                // its cloud).
                catchError(buildResult: 'UNSTABLE', stageResult: 'UNSTABLE') {
                    sh '''
                        postman spec lint 'specs/a "b" \\c.yaml' --output json > jeeves-reports/it-s-HOME/postman-spec-lint.json
                    '''
                }
                sh 'postman logout'
            }
            catchError(buildResult: 'UNSTABLE', stageResult: 'UNSTABLE') {
                sh '''
                    RULESET=.jeeves-tools/spectral-oas.yaml
                    for f in .spectral.json .spectral.yml .spectral.yaml; do
                        if [ -f "$f" ]; then RULESET=$f; fi
                    done
                    spectral lint 'specs/a "b" \\c.yaml' --ruleset "$RULESET" \
                        --format stylish --format json --output.json jeeves-reports/it-s-HOME/spectral.json
                '''
            }
        }
    }
    post {
        always {
            archiveArtifacts artifacts: 'jeeves-reports/it-s-HOME/**', allowEmptyArchive: true
            junit testResults: 'jeeves-reports/it-s-HOME/*-junit.xml', allowEmptyResults: true
        }
    }
}

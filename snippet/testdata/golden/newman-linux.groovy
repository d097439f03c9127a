// Jenkinsfile stage from `jeeves snippet`: runs the collection
// api/orders.postman_collection.json with newman and lints api/openapi.yaml with
// Spectral, on a Linux agent (sh steps). Paste it inside `stages { }` of a declarative
// pipeline.
// The agent needs Node.js 18.18 or newer with npm; the tools are installed into
// .jeeves-tools/.
// Reports go to jeeves-reports/orders/ and are archived; jeeves finds them there by
// their content. Failed tests or lint errors mark the build UNSTABLE; the reports are
// archived either way.
stage('API tests: orders') {
    steps {
        withEnv(["PATH+JEEVES_TOOLS=${env.WORKSPACE}/.jeeves-tools/node_modules/.bin"]) {
            sh '''
                rm -rf jeeves-reports/orders
                mkdir -p jeeves-reports/orders
                if [ ! -x .jeeves-tools/node_modules/.bin/newman ] || [ ! -x .jeeves-tools/node_modules/.bin/spectral ]; then
                    npm install --prefix .jeeves-tools --no-audit --no-fund newman@6 @stoplight/spectral-cli@6
                fi
                echo 'extends: ["spectral:oas"]' > .jeeves-tools/spectral-oas.yaml
            '''
            catchError(buildResult: 'UNSTABLE', stageResult: 'UNSTABLE') {
                sh '''
                    newman run api/orders.postman_collection.json \
                        --environment api/local.postman_environment.json \
                        --reporters cli,json,junit --color off \
                        --reporter-json-export jeeves-reports/orders/newman.json \
                        --reporter-junit-export jeeves-reports/orders/newman-junit.xml
                '''
            }
            catchError(buildResult: 'UNSTABLE', stageResult: 'UNSTABLE') {
                sh '''
                    RULESET=.jeeves-tools/spectral-oas.yaml
                    for f in .spectral.json .spectral.yml .spectral.yaml; do
                        if [ -f "$f" ]; then RULESET=$f; fi
                    done
                    spectral lint api/openapi.yaml --ruleset "$RULESET" \
                        --format stylish --format json --output.json jeeves-reports/orders/spectral.json
                '''
            }
        }
    }
    post {
        always {
            archiveArtifacts artifacts: 'jeeves-reports/orders/**', allowEmptyArchive: true
            junit testResults: 'jeeves-reports/orders/*-junit.xml', allowEmptyResults: true
        }
    }
}

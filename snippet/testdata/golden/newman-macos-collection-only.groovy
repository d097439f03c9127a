// Jenkinsfile stage from `jeeves snippet`: runs the collection tests/Payments API.json
// with newman, on a macOS agent (sh steps). Paste it inside `stages { }` of a
// declarative pipeline.
// The agent needs Node.js 18.18 or newer with npm; the tools are installed into
// .jeeves-tools/.
// Reports go to jeeves-reports/Payments-API/ and are archived; jeeves finds them there
// by their content. Failed tests or lint errors mark the build UNSTABLE; the reports
// are archived either way.
stage('API tests: Payments API') {
    steps {
        withEnv(["PATH+JEEVES_TOOLS=${env.WORKSPACE}/.jeeves-tools/node_modules/.bin"]) {
            sh '''
                rm -rf jeeves-reports/Payments-API
                mkdir -p jeeves-reports/Payments-API
                if [ ! -x .jeeves-tools/node_modules/.bin/newman ]; then
                    npm install --prefix .jeeves-tools --no-audit --no-fund newman@6
                fi
            '''
            catchError(buildResult: 'UNSTABLE', stageResult: 'UNSTABLE') {
                sh '''
                    newman run 'tests/Payments API.json' \
                        --reporters cli,json,junit --color off \
                        --reporter-json-export jeeves-reports/Payments-API/newman.json \
                        --reporter-junit-export jeeves-reports/Payments-API/newman-junit.xml
                '''
            }
        }
    }
    post {
        always {
            archiveArtifacts artifacts: 'jeeves-reports/Payments-API/**', allowEmptyArchive: true
            junit testResults: 'jeeves-reports/Payments-API/*-junit.xml', allowEmptyResults: true
        }
    }
}

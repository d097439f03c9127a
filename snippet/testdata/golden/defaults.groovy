// Jenkinsfile stage from `jeeves snippet`: runs the collection orders.json with Postman
// CLI, on a Linux agent (sh steps). Paste it inside `stages { }` of a declarative
// pipeline.
// The agent needs Node.js 18.18 or newer with npm; the tools are installed into
// .jeeves-tools/.
// The Postman API key comes from the Jenkins "Secret text" credential
// 'postman-api-key'.
// Reports go to jeeves-reports/orders/ and are archived; jeeves finds them there by
// their content. Failed tests or lint errors mark the build UNSTABLE; the reports are
// archived either way.
stage('API tests: orders') {
    steps {
        withEnv(["PATH+JEEVES_TOOLS=${env.WORKSPACE}/.jeeves-tools/node_modules/.bin"]) {
            sh '''
                rm -rf jeeves-reports/orders
                mkdir -p jeeves-reports/orders
                if [ ! -x .jeeves-tools/node_modules/.bin/postman ]; then
                    npm install --prefix .jeeves-tools --no-audit --no-fund postman-cli@1
                fi
            '''
            withCredentials([string(credentialsId: 'postman-api-key', variable: 'POSTMAN_API_KEY')]) {
                sh 'postman login --with-api-key "$POSTMAN_API_KEY"'
                catchError(buildResult: 'UNSTABLE', stageResult: 'UNSTABLE') {
                    sh '''
                        postman collection run orders.json \
                            --reporters cli,json,junit \
                            --reporter-json-export jeeves-reports/orders/postman-cli.json \
                            --reporter-json-omitResponseBodies \
                            --reporter-junit-export jeeves-reports/orders/postman-cli-junit.xml
                    '''
                }
                sh 'postman logout'
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

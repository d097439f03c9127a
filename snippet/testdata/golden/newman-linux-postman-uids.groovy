// Jenkinsfile stage from `jeeves snippet`: runs the collection
// 12345678-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d with newman, on a Linux agent (sh
// steps). Paste it inside `stages { }` of a declarative pipeline.
// The agent needs Node.js 18.18 or newer with npm; the tools are installed into
// .jeeves-tools/.
// The Postman API key comes from the Jenkins "Secret text" credential
// 'postman-api-key'.
// Reports go to jeeves-reports/collection-0a1b2c3d/ and are archived; jeeves finds them
// there by their content. Failed tests or lint errors mark the build UNSTABLE; the
// reports are archived either way.
stage('API tests: 12345678-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d') {
    steps {
        withEnv(["PATH+JEEVES_TOOLS=${env.WORKSPACE}/.jeeves-tools/node_modules/.bin"]) {
            sh '''
                rm -rf jeeves-reports/collection-0a1b2c3d
                mkdir -p jeeves-reports/collection-0a1b2c3d
                if [ ! -x .jeeves-tools/node_modules/.bin/newman ]; then
                    npm install --prefix .jeeves-tools --no-audit --no-fund newman@6
                fi
            '''
            withCredentials([string(credentialsId: 'postman-api-key', variable: 'POSTMAN_API_KEY')]) {
                catchError(buildResult: 'UNSTABLE', stageResult: 'UNSTABLE') {
                    sh '''
                        newman run 12345678-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d \
                            --environment 12345678-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee \
                            --postman-api-key "$POSTMAN_API_KEY" \
                            --reporters cli,json,junit --color off \
                            --reporter-json-export jeeves-reports/collection-0a1b2c3d/newman.json \
                            --reporter-junit-export jeeves-reports/collection-0a1b2c3d/newman-junit.xml
                    '''
                }
            }
        }
    }
    post {
        always {
            archiveArtifacts artifacts: 'jeeves-reports/collection-0a1b2c3d/**', allowEmptyArchive: true
            junit testResults: 'jeeves-reports/collection-0a1b2c3d/*-junit.xml', allowEmptyResults: true
        }
    }
}

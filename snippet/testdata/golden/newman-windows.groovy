// Jenkinsfile stage from `jeeves snippet`: runs the collection
// api\orders.postman_collection.json with newman and lints api/openapi.yaml with
// Spectral, on a Windows agent (bat steps). Paste it inside `stages { }` of a
// declarative pipeline.
// The agent needs Node.js 18.18 or newer with npm; the tools are installed into
// .jeeves-tools/.
// Reports go to jeeves-reports/orders/ and are archived; jeeves finds them there by
// their content. Failed tests or lint errors mark the build UNSTABLE; the reports are
// archived either way.
stage('API tests: orders') {
    steps {
        withEnv(["PATH+JEEVES_TOOLS=${env.WORKSPACE}\\.jeeves-tools\\node_modules\\.bin"]) {
            bat '''
                if exist jeeves-reports\\orders rmdir /s /q jeeves-reports\\orders
                mkdir jeeves-reports\\orders
                set JEEVES_INSTALL=0
                if not exist .jeeves-tools\\node_modules\\.bin\\newman.cmd set JEEVES_INSTALL=1
                if not exist .jeeves-tools\\node_modules\\.bin\\spectral.cmd set JEEVES_INSTALL=1
                if %JEEVES_INSTALL%==1 call npm install --prefix .jeeves-tools --no-audit --no-fund newman@6 @stoplight/spectral-cli@6 || exit /b 1
                echo extends: ["spectral:oas"]> .jeeves-tools\\spectral-oas.yaml
            '''
            catchError(buildResult: 'UNSTABLE', stageResult: 'UNSTABLE') {
                bat '''
                    call newman run api\\orders.postman_collection.json ^
                        --environment api/local.postman_environment.json ^
                        --reporters cli,json,junit --color off ^
                        --reporter-json-export jeeves-reports\\orders\\newman.json ^
                        --reporter-junit-export jeeves-reports\\orders\\newman-junit.xml
                '''
            }
            catchError(buildResult: 'UNSTABLE', stageResult: 'UNSTABLE') {
                bat '''
                    set RULESET=.jeeves-tools\\spectral-oas.yaml
                    if exist .spectral.json set RULESET=.spectral.json
                    if exist .spectral.yml set RULESET=.spectral.yml
                    if exist .spectral.yaml set RULESET=.spectral.yaml
                    call spectral lint api/openapi.yaml --ruleset "%RULESET%" ^
                        --format stylish --format json --output.json jeeves-reports\\orders\\spectral.json
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

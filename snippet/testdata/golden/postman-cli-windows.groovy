// Jenkinsfile stage from `jeeves snippet`: runs the collection
// 12345678-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d with Postman CLI and lints specs\open
// api.yaml with Spectral, on a Windows agent (bat steps). Paste it inside `stages { }`
// of a declarative pipeline.
// The agent needs Node.js 18.18 or newer with npm; the tools are installed into
// .jeeves-tools/.
// The Postman API key comes from the Jenkins "Secret text" credential
// 'postman-api-key'.
// Reports go to jeeves-reports/collection-0a1b2c3d/ and are archived; jeeves finds them
// there by their content. Failed tests or lint errors mark the build UNSTABLE; the
// reports are archived either way.
stage('API tests: 12345678-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d') {
    steps {
        withEnv(["PATH+JEEVES_TOOLS=${env.WORKSPACE}\\.jeeves-tools\\node_modules\\.bin"]) {
            bat '''
                if exist jeeves-reports\\collection-0a1b2c3d rmdir /s /q jeeves-reports\\collection-0a1b2c3d
                mkdir jeeves-reports\\collection-0a1b2c3d
                set JEEVES_INSTALL=0
                if not exist .jeeves-tools\\node_modules\\.bin\\postman.cmd set JEEVES_INSTALL=1
                if not exist .jeeves-tools\\node_modules\\.bin\\spectral.cmd set JEEVES_INSTALL=1
                if %JEEVES_INSTALL%==1 call npm install --prefix .jeeves-tools --no-audit --no-fund postman-cli@1 @stoplight/spectral-cli@6 || exit /b 1
                echo extends: ["spectral:oas"]> .jeeves-tools\\spectral-oas.yaml
            '''
            withCredentials([string(credentialsId: 'postman-api-key', variable: 'POSTMAN_API_KEY')]) {
                bat 'postman login --with-api-key "%POSTMAN_API_KEY%"'
                catchError(buildResult: 'UNSTABLE', stageResult: 'UNSTABLE') {
                    bat '''
                        call postman collection run 12345678-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d ^
                            --environment "envs\\staging & qa.json" ^
                            --reporters cli,json,junit ^
                            --reporter-json-export jeeves-reports\\collection-0a1b2c3d\\postman-cli.json ^
                            --reporter-json-omitResponseBodies ^
                            --reporter-junit-export jeeves-reports\\collection-0a1b2c3d\\postman-cli-junit.xml
                    '''
                }
                // Postman's governance and security rules (reported to Postman; needs
                // its cloud).
                catchError(buildResult: 'UNSTABLE', stageResult: 'UNSTABLE') {
                    bat '''
                        postman spec lint "specs\\open api.yaml" --output json > jeeves-reports\\collection-0a1b2c3d\\postman-spec-lint.json
                    '''
                }
                bat 'postman logout'
            }
            catchError(buildResult: 'UNSTABLE', stageResult: 'UNSTABLE') {
                bat '''
                    set RULESET=.jeeves-tools\\spectral-oas.yaml
                    if exist .spectral.json set RULESET=.spectral.json
                    if exist .spectral.yml set RULESET=.spectral.yml
                    if exist .spectral.yaml set RULESET=.spectral.yaml
                    call spectral lint "specs\\open api.yaml" --ruleset "%RULESET%" ^
                        --format stylish --format json --output.json jeeves-reports\\collection-0a1b2c3d\\spectral.json
                '''
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

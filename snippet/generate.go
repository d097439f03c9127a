package snippet

import (
	"fmt"
	"regexp"
	"strings"
)

// Pinned major versions of what the stage installs with npm.
const (
	newmanPackage     = "newman@6"
	postmanCLIPackage = "postman-cli@1"
	spectralPackage   = "@stoplight/spectral-cli@6"
)

// defaultRuleset is the Spectral ruleset the stage falls back to when the
// workspace has none: Spectral's built-in OpenAPI rules.
const defaultRuleset = `extends: ["spectral:oas"]`

// Generate returns the Jenkinsfile stage for o, or the one-line error of
// o.Validate. The stage never contains a secret: the Postman API key is
// read from Jenkins credentials with withCredentials when it is needed.
func Generate(o Options) (string, error) {
	if err := o.Validate(); err != nil {
		return "", err
	}
	o = o.withDefaults()
	p := newPlan(o)
	w := &writer{windows: o.OS == Windows}
	p.render(w)
	return w.b.String(), nil
}

// Files names what a stage for o writes, relative to the workspace, with
// forward slashes: the directory, then the reports in the order they are made.
func Files(o Options) (dir string, reports []string) {
	o = o.withDefaults()
	p := newPlan(o)
	reports = append(reports, p.runJSON, p.runJUnit)
	if p.lint {
		if o.Tool == PostmanCLI {
			reports = append(reports, p.postmanLint)
		}
		reports = append(reports, p.spectralJSON)
	}
	return p.dir, reports
}

// plan is everything the stage needs, with paths in forward-slash form.
type plan struct {
	o            Options
	name         string // collection's display name
	dir          string // ReportsDir/<slug>
	runJSON      string
	runJUnit     string
	lint         bool
	spectralJSON string
	postmanLint  string
	needsKey     bool // the API key is used (Postman CLI always; newman for UIDs)
	bins         []string
	packages     []string
}

func newPlan(o Options) plan {
	p := plan{o: o, lint: o.Lint != ""}
	p.name = displayName(o.Collection)
	p.dir = ReportsDir + "/" + slug(p.name)
	if IsPostmanUID(o.Collection) {
		// owner-uuid: the UUID's first group is plenty to tell collections apart.
		_, id, _ := strings.Cut(o.Collection, "-")
		p.dir = ReportsDir + "/collection-" + strings.ToLower(id[:8])
	}
	tool := string(o.Tool)
	p.runJSON = p.dir + "/" + tool + ".json"
	p.runJUnit = p.dir + "/" + tool + "-junit.xml"
	p.spectralJSON = p.dir + "/spectral.json"
	p.postmanLint = p.dir + "/postman-spec-lint.json"
	switch o.Tool {
	case PostmanCLI:
		p.needsKey = true
		p.bins = []string{"postman"}
		p.packages = []string{postmanCLIPackage}
	case Newman:
		p.needsKey = IsPostmanUID(o.Collection) || IsPostmanUID(o.Environment)
		p.bins = []string{"newman"}
		p.packages = []string{newmanPackage}
	}
	if p.lint {
		p.bins = append(p.bins, "spectral")
		p.packages = append(p.packages, spectralPackage)
	}
	return p
}

// displayName is the collection's file name without its extensions, or the UID.
func displayName(c string) string {
	if IsPostmanUID(c) {
		return c
	}
	base := c
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	base = strings.TrimSuffix(base, ".json")
	base = strings.TrimSuffix(base, ".postman_collection")
	if base == "" || base == "." || base == ".." {
		return "collection"
	}
	return base
}

var slugRE = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// slug is a file-name-safe form of a name: the reports sub-directory.
func slug(name string) string {
	s := strings.Trim(slugRE.ReplaceAllString(name, "-"), "-.")
	if s == "" {
		return "collection"
	}
	return s
}

// osPath turns a forward-slash path the stage generates into the agent's form.
func (w *writer) osPath(p string) string {
	if w.windows {
		return strings.ReplaceAll(p, "/", `\`)
	}
	return p
}

func (p plan) render(w *writer) {
	o := p.o
	agent := "a " + o.OS.Label() + " agent (sh steps)"
	if w.windows {
		agent = "a Windows agent (bat steps)"
	}
	what := fmt.Sprintf("Jenkinsfile stage from `jeeves snippet`: runs the collection %s with %s", o.Collection, o.Tool.Label())
	if p.lint {
		what += fmt.Sprintf(" and lints %s with Spectral", o.Lint)
	}
	w.comments(what + ", on " + agent + ". Paste it inside `stages { }` of a declarative pipeline.")
	w.comments("The agent needs Node.js 18.18 or newer with npm; the tools are installed into " + ToolsDir + "/.")
	if p.needsKey {
		w.comments("The Postman API key comes from the Jenkins \"Secret text\" credential '" + o.CredentialsID + "'.")
	}
	w.comments("Reports go to " + p.dir + "/ and are archived; jeeves finds them there by their content. " +
		"Failed tests or lint errors mark the build UNSTABLE; the reports are archived either way.")

	w.open("stage(" + groovyQuote("API tests: "+p.name) + ") {")
	w.open("steps {")
	if w.windows {
		w.open(`withEnv(["PATH+JEEVES_TOOLS=${env.WORKSPACE}\\` + ToolsDir + `\\node_modules\\.bin"]) {`)
	} else {
		w.open(`withEnv(["PATH+JEEVES_TOOLS=${env.WORKSPACE}/` + ToolsDir + `/node_modules/.bin"]) {`)
	}
	w.shell(p.prepare(w))
	if p.needsKey {
		w.open("withCredentials([string(credentialsId: " + groovyQuote(o.CredentialsID) + ", variable: '" + APIKeyVariable + "')]) {")
	}
	if o.Tool == PostmanCLI {
		w.shell([][]string{{"postman login --with-api-key " + w.envRef(APIKeyVariable)}})
	}
	w.open("catchError(buildResult: 'UNSTABLE', stageResult: 'UNSTABLE') {")
	w.shell(p.runCollection(w))
	w.close()
	if o.Tool == PostmanCLI {
		if p.lint {
			w.comments("Postman's governance and security rules (reported to Postman; needs its cloud).")
			w.open("catchError(buildResult: 'UNSTABLE', stageResult: 'UNSTABLE') {")
			w.shell([][]string{{"postman spec lint " + w.quote(o.Lint) + " --output json > " + w.osPath(p.postmanLint)}})
			w.close()
		}
		w.shell([][]string{{"postman logout"}})
	}
	if p.needsKey {
		w.close()
	}
	if p.lint {
		w.open("catchError(buildResult: 'UNSTABLE', stageResult: 'UNSTABLE') {")
		w.shell(p.runSpectral(w))
		w.close()
	}
	w.close() // withEnv
	w.close() // steps
	w.open("post {")
	w.open("always {")
	w.line("archiveArtifacts artifacts: " + groovyQuote(p.dir+"/**") + ", allowEmptyArchive: true")
	w.line("junit testResults: " + groovyQuote(p.dir+"/*-junit.xml") + ", allowEmptyResults: true")
	w.close()
	w.close()
	w.close() // stage
}

// prepare empties this collection's report directory (so a crashed tool
// cannot leave an older build's report to be archived again) and installs
// the tools unless they are there already.
func (p plan) prepare(w *writer) [][]string {
	pkgs := strings.Join(p.packages, " ")
	install := "npm install --prefix " + ToolsDir + " --no-audit --no-fund " + pkgs
	dir := w.osPath(p.dir)
	if w.windows {
		cmds := [][]string{
			{"if exist " + dir + " rmdir /s /q " + dir},
			{"mkdir " + dir},
			{"set JEEVES_INSTALL=0"},
		}
		for _, b := range p.bins {
			cmds = append(cmds, []string{"if not exist " + w.osPath(ToolsDir+"/node_modules/.bin/"+b+".cmd") + " set JEEVES_INSTALL=1"})
		}
		cmds = append(cmds, []string{"if %JEEVES_INSTALL%==1 call " + install + " || exit /b 1"})
		if p.lint {
			cmds = append(cmds, []string{"echo " + defaultRuleset + "> " + w.osPath(ToolsDir+"/spectral-oas.yaml")})
		}
		return cmds
	}
	var tests []string
	for _, b := range p.bins {
		tests = append(tests, "[ ! -x "+ToolsDir+"/node_modules/.bin/"+b+" ]")
	}
	cmds := [][]string{
		{"rm -rf " + dir},
		{"mkdir -p " + dir},
		{"if " + strings.Join(tests, " || ") + "; then"},
		{"    " + install},
		{"fi"},
	}
	if p.lint {
		cmds = append(cmds, []string{"echo '" + defaultRuleset + "' > " + ToolsDir + "/spectral-oas.yaml"})
	}
	return cmds
}

func (p plan) runCollection(w *writer) [][]string {
	o := p.o
	call := ""
	if w.windows {
		call = "call "
	}
	var c []string
	switch o.Tool {
	case PostmanCLI:
		c = append(c, call+"postman collection run "+w.quote(o.Collection))
		if o.Environment != "" {
			c = append(c, "--environment "+w.quote(o.Environment))
		}
		c = append(c,
			"--reporters cli,json,junit",
			"--reporter-json-export "+w.osPath(p.runJSON),
			"--reporter-json-omitResponseBodies",
			"--reporter-junit-export "+w.osPath(p.runJUnit))
	case Newman:
		c = append(c, call+"newman run "+w.quote(o.Collection))
		if o.Environment != "" {
			c = append(c, "--environment "+w.quote(o.Environment))
		}
		if p.needsKey {
			c = append(c, "--postman-api-key "+w.envRef(APIKeyVariable))
		}
		c = append(c,
			"--reporters cli,json,junit --color off",
			"--reporter-json-export "+w.osPath(p.runJSON),
			"--reporter-junit-export "+w.osPath(p.runJUnit))
	}
	return [][]string{c}
}

// runSpectral lints with the workspace's own ruleset when it has one
// (.spectral.yaml, .yml or .json, as Spectral itself looks for), else with
// Spectral's OpenAPI rules. Stylish goes to the console, JSON to the report.
func (p plan) runSpectral(w *writer) [][]string {
	def := w.osPath(ToolsDir + "/spectral-oas.yaml")
	lint := []string{
		"spectral lint " + w.quote(p.o.Lint) + " --ruleset " + w.envRef("RULESET"),
		"--format stylish --format json --output.json " + w.osPath(p.spectralJSON),
	}
	if w.windows {
		lint[0] = "call " + lint[0]
		return [][]string{
			{"set RULESET=" + def},
			{"if exist .spectral.json set RULESET=.spectral.json"},
			{"if exist .spectral.yml set RULESET=.spectral.yml"},
			{"if exist .spectral.yaml set RULESET=.spectral.yaml"},
			lint,
		}
	}
	return [][]string{
		{"RULESET=" + def},
		{"for f in .spectral.json .spectral.yml .spectral.yaml; do"},
		{`    if [ -f "$f" ]; then RULESET=$f; fi`},
		{"done"},
		lint,
	}
}

// writer builds the Groovy text with four-space indentation.
type writer struct {
	b       strings.Builder
	depth   int
	windows bool
}

func (w *writer) indent() string { return strings.Repeat("    ", w.depth) }

func (w *writer) line(s string) { w.b.WriteString(w.indent() + s + "\n") }

func (w *writer) comment(s string) { w.line("// " + s) }

// commentWidth is where comments wrap, counting the indentation and "// ".
const commentWidth = 88

// comments writes s as comment lines wrapped at commentWidth; a word longer
// than the line stays whole.
func (w *writer) comments(s string) {
	limit := commentWidth - len(w.indent()) - 3
	var cur string
	for _, word := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = word
		case len(cur)+1+len(word) <= limit:
			cur += " " + word
		default:
			w.comment(cur)
			cur = word
		}
	}
	if cur != "" {
		w.comment(cur)
	}
}

func (w *writer) open(s string) { w.line(s); w.depth++ }

func (w *writer) close() { w.depth--; w.line("}") }

// shell writes one sh (or bat) step. Each command is a list of segments
// shown on continuation lines: for sh a Groovy line escape (backslash and
// newline, which Groovy removes), for bat cmd.exe's caret.
func (w *writer) shell(cmds [][]string) {
	step := "sh"
	cont := ` \`
	if w.windows {
		step = "bat"
		cont = " ^"
	}
	if len(cmds) == 1 && len(cmds[0]) == 1 && len(cmds[0][0]) <= 60 {
		w.line(step + " " + groovyQuote(cmds[0][0]))
		return
	}
	body := w.indent() + "    "
	var s strings.Builder
	for _, c := range cmds {
		for i, seg := range c {
			s.WriteString(body)
			if i > 0 {
				s.WriteString("    ")
			}
			s.WriteString(groovyTripleEscape(seg))
			if i < len(c)-1 {
				s.WriteString(cont) // not escaped: for sh it is Groovy's line escape
			}
			s.WriteString("\n")
		}
	}
	w.b.WriteString(w.indent() + step + " '''\n" + s.String() + w.indent() + "'''\n")
}

// quote quotes a user-supplied value for the agent's shell, only when needed.
func (w *writer) quote(v string) string {
	if w.windows {
		if strings.ContainsAny(v, " \t&|<>^(),;=!") {
			return `"` + v + `"`
		}
		return v
	}
	if shellSafeRE.MatchString(v) {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

var shellSafeRE = regexp.MustCompile(`^[A-Za-z0-9_./:@+=,-]+$`)

// envRef is a quoted reference to an environment variable in the agent's shell.
func (w *writer) envRef(name string) string {
	if w.windows {
		return `"%` + name + `%"`
	}
	return `"$` + name + `"`
}

// groovyQuote is a Groovy single-quoted (non-interpolating) string literal.
func groovyQuote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `'`, `\'`)
	return "'" + s + "'"
}

// groovyTripleEscape escapes one line for the inside of a triple-quoted
// string: every backslash is doubled and a quote that another quote follows
// is escaped, so no run of three can close the string. (The writer never
// puts a quote right after a line, so a quote ending it needs nothing.)
func groovyTripleEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteString(`\'`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Package snippet writes the declarative Jenkinsfile stage that runs a
// Postman collection (Postman CLI or newman) and lints an API definition
// (Spectral), leaving reports where jeeves finds them. It is pure text
// generation: no I/O, no UI.
package snippet

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Tool is the collection runner the stage uses.
type Tool string

const (
	PostmanCLI Tool = "postman-cli"
	Newman     Tool = "newman"
)

// Tools lists the runners in the order a form offers them; the first is the default.
var Tools = []Tool{PostmanCLI, Newman}

// Label is the tool's name for display.
func (t Tool) Label() string {
	switch t {
	case PostmanCLI:
		return "Postman CLI"
	case Newman:
		return "newman"
	}
	return string(t)
}

// OS is the operating system of the Jenkins agent: it picks sh or bat steps.
type OS string

const (
	Linux   OS = "linux"
	MacOS   OS = "macos"
	Windows OS = "windows"
)

// OSes lists the agent systems in the order a form offers them; the first is the default.
var OSes = []OS{Linux, MacOS, Windows}

// Label is the system's name for display.
func (o OS) Label() string {
	switch o {
	case Linux:
		return "Linux"
	case MacOS:
		return "macOS"
	case Windows:
		return "Windows"
	}
	return string(o)
}

// ParseTool reads a tool name as the command line spells it.
func ParseTool(s string) (Tool, error) {
	for _, t := range Tools {
		if strings.EqualFold(s, string(t)) {
			return t, nil
		}
	}
	return "", fmt.Errorf("unknown tool %q (choose %s)", s, joinTools())
}

// ParseOS reads an agent system name as the command line spells it.
func ParseOS(s string) (OS, error) {
	for _, o := range OSes {
		if strings.EqualFold(s, string(o)) {
			return o, nil
		}
	}
	return "", fmt.Errorf("unknown OS %q (choose %s)", s, joinOSes())
}

func joinTools() string {
	s := make([]string, len(Tools))
	for i, t := range Tools {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

func joinOSes() string {
	s := make([]string, len(OSes))
	for i, o := range OSes {
		s[i] = string(o)
	}
	return strings.Join(s, ", ")
}

// Conventions of the generated stage.
const (
	// ReportsDir is where the stage writes reports, one sub-directory per
	// collection: ReportsDir/<slug>/. Everything under it is archived; jeeves
	// detects the reports among a build's artifacts by their content.
	ReportsDir = "jeeves-reports"
	// ToolsDir is the workspace directory the tools are installed into with npm.
	ToolsDir = ".jeeves-tools"
	// DefaultCredentialsID names the Jenkins "Secret text" credential that
	// holds the Postman API key.
	DefaultCredentialsID = "postman-api-key"
	// APIKeyVariable is the environment variable withCredentials binds the key to.
	APIKeyVariable = "POSTMAN_API_KEY"
)

// Options is what the stage runs.
type Options struct {
	Tool        Tool   // runner; empty means PostmanCLI
	Collection  string // required: a path in the workspace, or a Postman collection UID
	Environment string // optional: a path in the workspace, or a Postman environment UID
	Lint        string // optional: path of the API definition to lint
	OS          OS     // agent system; empty means Linux
	// CredentialsID is the Jenkins credential holding the Postman API key;
	// empty means DefaultCredentialsID.
	CredentialsID string
}

// withDefaults fills the empty optional fields.
func (o Options) withDefaults() Options {
	if o.Tool == "" {
		o.Tool = Tools[0]
	}
	if o.OS == "" {
		o.OS = OSes[0]
	}
	if t, err := ParseTool(string(o.Tool)); err == nil {
		o.Tool = t // the canonical spelling
	}
	if v, err := ParseOS(string(o.OS)); err == nil {
		o.OS = v
	}
	if o.CredentialsID == "" {
		o.CredentialsID = DefaultCredentialsID
	}
	o.Collection = strings.TrimSpace(o.Collection)
	o.Environment = strings.TrimSpace(o.Environment)
	o.Lint = strings.TrimSpace(o.Lint)
	o.CredentialsID = strings.TrimSpace(o.CredentialsID)
	return o
}

// uidRE matches a Postman UID (owner id, a dash, a UUID): newman's own test
// for "load this from the Postman API".
var uidRE = regexp.MustCompile(`(?i)^[0-9a-z]+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// IsPostmanUID reports whether s names a Postman cloud resource rather than a file.
func IsPostmanUID(s string) bool { return uidRE.MatchString(strings.TrimSpace(s)) }

// Validate checks the options; the error is one line that names the field.
func (o Options) Validate() error {
	o = o.withDefaults()
	if _, err := ParseTool(string(o.Tool)); err != nil {
		return err
	}
	if _, err := ParseOS(string(o.OS)); err != nil {
		return err
	}
	if o.Collection == "" {
		return fmt.Errorf("collection is required: a path in the Jenkins workspace or a Postman collection UID")
	}
	if err := checkValue("collection", o.Collection, o.OS); err != nil {
		return err
	}
	if err := checkValue("environment", o.Environment, o.OS); err != nil {
		return err
	}
	if err := checkValue("lint", o.Lint, o.OS); err != nil {
		return err
	}
	if o.Lint != "" && IsPostmanUID(o.Lint) {
		return fmt.Errorf("lint %q looks like a Postman UID; Spectral needs the API definition's file path in the workspace", o.Lint)
	}
	if err := checkValue("credentials ID", o.CredentialsID, o.OS); err != nil {
		return err
	}
	return nil
}

// checkValue rejects what cannot be quoted safely into the stage.
func checkValue(field, v string, os OS) error {
	if v == "" {
		return nil
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return fmt.Errorf("%s must not contain control characters or line breaks", field)
		}
	}
	if strings.HasPrefix(v, "-") {
		return fmt.Errorf("%s %q must not start with '-' (it would read as an option; write ./%s)", field, v, v)
	}
	if os == Windows && strings.ContainsAny(v, `"%`) {
		return fmt.Errorf("%s %q must not contain \" or %% on a Windows agent (cmd.exe cannot quote them)", field, v)
	}
	return nil
}

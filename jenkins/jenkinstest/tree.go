package jenkinstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// obj is an exported model object as Stapler sees it: a Java class name and
// properties with their export visibility. Values are nil, bool, int, int64,
// float64, string, *obj, []any, json.RawMessage, or func() any (computed only
// when the property is written, so deep or wide objects cost nothing unless a
// client asks for them).
type obj struct {
	class string
	props []prop
}

type prop struct {
	name   string
	vis    int // Stapler @Exported visibility; treeOnly: only when named in tree=
	val    any
	inline bool // @Exported(inline=true): the value does not count as a level for depth
}

const (
	visDefault = 1
	visHigh    = 2
	visName    = 999
	treeOnly   = -2
)

func newObj(class string) *obj { return &obj{class: class, props: make([]prop, 0, 8)} }

// add appends a property with default visibility.
func (o *obj) add(name string, v any) *obj { return o.addv(name, visDefault, v) }

// addv appends a property with the given visibility.
func (o *obj) addv(name string, vis int, v any) *obj {
	o.props = append(o.props, prop{name: name, vis: vis, val: v})
	return o
}

// addInline appends a property whose value is exported inline.
func (o *obj) addInline(name string, v any) *obj {
	o.props = append(o.props, prop{name: name, vis: visDefault, val: v, inline: true})
	return o
}

// treeNode is one node of a parsed tree= expression.
type treeNode struct {
	children map[string]*treeNode
	order    []string
	rng      *indexRange
}

// indexRange is a {M,N} range: from inclusive, to exclusive; -1 = open.
type indexRange struct{ from, to int }

func (r *indexRange) apply(n int) (int, int) {
	from, to := 0, n
	if r.from >= 0 {
		from = r.from
	}
	if r.to >= 0 {
		to = r.to
	}
	if from > n {
		from = n
	}
	if to > n {
		to = n
	}
	if to < from {
		to = from
	}
	return from, to
}

// errMalformedTree is what a bad tree= expression gives (Jenkins answers 500).
var errMalformedTree = errors.New("malformed tree expression")

// parseTree parses Stapler's tree grammar:
//
//	list  := node ("," node)*
//	node  := NAME ("[" list "]")? ("{" range "}")?
//	range := M | M "," | "," N | M "," N
func parseTree(s string) (*treeNode, error) {
	p := &treeParser{s: s}
	root := &treeNode{}
	if err := p.list(root); err != nil {
		return nil, err
	}
	if p.i != len(p.s) {
		return nil, fmt.Errorf("%w: unexpected %q at %d", errMalformedTree, p.s[p.i], p.i)
	}
	return root, nil
}

type treeParser struct {
	s string
	i int
}

func (p *treeParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *treeParser) list(parent *treeNode) error {
	for {
		if err := p.node(parent); err != nil {
			return err
		}
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		return nil
	}
}

func (p *treeParser) node(parent *treeNode) error {
	p.skipSpace()
	start := p.i
	for p.i < len(p.s) && !strings.ContainsRune("[]{},", rune(p.s[p.i])) && p.s[p.i] != ' ' && p.s[p.i] != '\t' {
		p.i++
	}
	name := p.s[start:p.i]
	if name == "" {
		return fmt.Errorf("%w: expected a name at %d", errMalformedTree, start)
	}
	if parent.children == nil {
		parent.children = map[string]*treeNode{}
	}
	n := parent.children[name]
	if n == nil {
		n = &treeNode{}
		parent.children[name] = n
		parent.order = append(parent.order, name)
	}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '[' {
		p.i++
		if err := p.list(n); err != nil {
			return err
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ']' {
			return fmt.Errorf("%w: missing ']'", errMalformedTree)
		}
		p.i++
		p.skipSpace()
	}
	if p.i < len(p.s) && p.s[p.i] == '{' {
		end := strings.IndexByte(p.s[p.i:], '}')
		if end < 0 {
			return fmt.Errorf("%w: missing '}'", errMalformedTree)
		}
		r, err := parseRange(p.s[p.i+1 : p.i+end])
		if err != nil {
			return err
		}
		n.rng = r
		p.i += end + 1
	}
	return nil
}

func parseRange(s string) (*indexRange, error) {
	num := func(t string) (int, error) {
		t = strings.TrimSpace(t)
		if t == "" {
			return -1, nil
		}
		v, err := strconv.Atoi(t)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("%w: bad range %q", errMalformedTree, s)
		}
		return v, nil
	}
	if a, b, ok := strings.Cut(s, ","); ok {
		from, err := num(a)
		if err != nil {
			return nil, err
		}
		to, err := num(b)
		if err != nil {
			return nil, err
		}
		return &indexRange{from, to}, nil
	}
	v, err := num(s)
	if err != nil || v < 0 {
		return nil, fmt.Errorf("%w: bad range %q", errMalformedTree, s)
	}
	return &indexRange{v, v + 1}, nil
}

// pruner decides which properties of an object get written.
type pruner interface {
	// child reports whether the property is written and the pruner for its value.
	child(name string, vis int, inline bool) (pruner, *indexRange, bool)
}

type treePruner struct{ n *treeNode }

func (t treePruner) child(name string, vis int, _ bool) (pruner, *indexRange, bool) {
	if c, ok := t.n.children[name]; ok {
		return treePruner{c}, c.rng, true
	}
	if vis == treeOnly {
		return nil, nil, false
	}
	if c, ok := t.n.children["*"]; ok {
		return treePruner{c}, c.rng, true
	}
	return nil, nil, false
}

// depthPruner is Stapler's ByDepth: at nesting level L (top = 0) a property
// is written when its visibility exceeds L - depth.
type depthPruner struct{ level, depth int }

func (d depthPruner) child(name string, vis int, inline bool) (pruner, *indexRange, bool) {
	if vis == treeOnly || vis <= d.level-d.depth {
		return nil, nil, false
	}
	if inline {
		return d, nil, true
	}
	return depthPruner{d.level + 1, d.depth}, nil, true
}

// render writes v as JSON, pruning objects with p.
func render(buf *bytes.Buffer, v any, p pruner) {
	switch x := v.(type) {
	case func() any:
		render(buf, x(), p)
	case *obj:
		if x == nil {
			buf.WriteString("null")
			return
		}
		buf.WriteByte('{')
		first := true
		if x.class != "" {
			buf.WriteString(`"_class":`)
			writeJSONString(buf, x.class)
			first = false
		}
		for _, pr := range x.props {
			cp, rng, ok := p.child(pr.name, pr.vis, pr.inline)
			if !ok {
				continue
			}
			if !first {
				buf.WriteByte(',')
			}
			first = false
			writeJSONString(buf, pr.name)
			buf.WriteByte(':')
			val := pr.val
			if f, ok := val.(func() any); ok {
				val = f()
			}
			if list, ok := val.([]any); ok && rng != nil {
				from, to := rng.apply(len(list))
				val = list[from:to]
			}
			if ll, ok := val.(lazyList); ok && rng != nil {
				from, to := rng.apply(ll.n)
				val = lazyList{n: to - from, at: func(i int) any { return ll.at(from + i) }}
			}
			render(buf, val, cp)
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			render(buf, e, p)
		}
		buf.WriteByte(']')
	case lazyList:
		buf.WriteByte('[')
		for i := 0; i < x.n; i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			render(buf, x.at(i), p)
		}
		buf.WriteByte(']')
	case json.RawMessage:
		buf.Write(x)
	case string:
		writeJSONString(buf, x)
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case int:
		buf.WriteString(strconv.Itoa(x))
	case int64:
		buf.WriteString(strconv.FormatInt(x, 10))
	default:
		b, err := json.Marshal(x)
		if err != nil {
			buf.WriteString("null")
			return
		}
		buf.Write(b)
	}
}

const hexDigits = "0123456789abcdef"

// writeJSONString writes s as a JSON string (invalid UTF-8 becomes U+FFFD).
func writeJSONString(buf *bytes.Buffer, s string) {
	buf.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				buf.WriteByte('\\')
				buf.WriteByte(c)
			case '\n':
				buf.WriteString(`\n`)
			case '\r':
				buf.WriteString(`\r`)
			case '\t':
				buf.WriteString(`\t`)
			default:
				buf.WriteString(`\u00`)
				buf.WriteByte(hexDigits[c>>4])
				buf.WriteByte(hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf.WriteString(s[start:i])
			buf.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf.WriteString(s[start:i])
			buf.WriteString(`\u202`)
			buf.WriteByte(hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf.WriteString(s[start:])
	buf.WriteByte('"')
}

// lazyList is an array whose elements are made only when written, so a
// {M,N} range over 100 builds builds only the selected ones.
type lazyList struct {
	n  int
	at func(i int) any
}

// renderAPI renders an object for an api/json request with the tree or depth
// query values. It fails for a malformed tree or depth, as Stapler does.
func renderAPI(o any, tree string, hasTree bool, depth string) ([]byte, error) {
	var p pruner
	if hasTree {
		t, err := parseTree(tree)
		if err != nil {
			return nil, err
		}
		p = treePruner{t}
	} else {
		d := 0
		if depth != "" {
			v, err := strconv.Atoi(depth)
			if err != nil {
				return nil, fmt.Errorf("bad depth %q", depth)
			}
			d = v
		}
		p = depthPruner{0, d}
	}
	var buf bytes.Buffer
	render(&buf, o, p)
	return buf.Bytes(), nil
}

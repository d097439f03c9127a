package termtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain job name", "plain job name"},
		{"\x1b[2J\x1b[Hcleared", "cleared"},            // clear screen, home
		{"\x1b]0;pwned title\x07after", "after"},       // set window title (BEL)
		{"\x1b]2;title\x1b\\after", "after"},           // set title (ST)
		{"\x1b]52;c;cm0gLXJmIH4=\x07copy", "copy"},     // write the clipboard
		{"\x1bP+q544e\x1b\\dcs", "dcs"},                // DCS query
		{"red \x1b[31mtext\x1b[0m", "red text"},        // SGR dropped by Clean
		{"a\tb\nc\rd", "a b c d"},                      // one line
		{"bell\x07 nul\x00 del\x7f", "bell nul del"},   // C0 and DEL
		{"c1 \u009b31mcsi", "c1 csi"},                  // 8-bit CSI
		{"osc8 \u009d0;x\u0007end", "osc8 end"},        // 8-bit OSC
		{"bidi \u202eevil\u202c ok", "bidi evil ok"},   // bidi overrides
		{"日本語 ✓ café", "日本語 ✓ café"},                   // wide and combining text kept
		{"bad \xff byte", "bad \uFFFD byte"},           // invalid UTF-8
		{"unterminated \x1b]0;title", "unterminated "}, // OSC without end
		{"\x1b[?1049h\x1b[?25lalt", "alt"},             // private modes
		{"keypad \x1b=\x1b>x", "keypad x"},             // two-byte escapes
		{"charset \x1b(0q", "charset q"},               // ESC ( 0
	}
	for _, c := range cases {
		if got := Clean(c.in); got != c.want {
			t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCleanKeepSGR(t *testing.T) {
	in := "\x1b[1;32mPASS\x1b[0m line\r\n\x1b[2Jnext \x1b]0;t\x07\x1b[38;5;196mred\x1b[m\n"
	want := "\x1b[1;32mPASS\x1b[0m line\nnext \x1b[38;5;196mred\x1b[m\n"
	if got := CleanKeepSGR(in); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// a "SGR" with private or intermediate bytes is not kept
	if got := CleanKeepSGR("\x1b[?5mx\x1b[1 mq"); got != "xq" {
		t.Errorf("private SGR kept: %q", got)
	}
}

func TestCleanMultiline(t *testing.T) {
	if got := CleanMultiline("a\r\nb\x1b[Kc\n"); got != "a\nbc\n" {
		t.Errorf("got %q", got)
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"\x1b[31mx", "\x1b]0;t\x07", "\u009b2J", "ok", "\x1bP\x1b\\", "a\xffb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Clean(s), CleanMultiline(s)} {
			if strings.ContainsRune(out, 0x1b) {
				t.Fatalf("ESC survived: %q -> %q", s, out)
			}
			for _, r := range out {
				if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
					t.Fatalf("control %U survived: %q -> %q", r, s, out)
				}
			}
			if !utf8.ValidString(out) {
				t.Fatalf("invalid UTF-8 out: %q", out)
			}
		}
		if strings.ContainsRune(Clean(s), '\n') {
			t.Fatalf("newline in Clean output")
		}
		// CleanKeepSGR keeps only ESC [ digits ; m
		k := CleanKeepSGR(s)
		for i := 0; i < len(k); i++ {
			if k[i] == 0x1b {
				j := i + 2
				if j > len(k) || k[i+1] != '[' {
					t.Fatalf("non-SGR escape kept: %q", k)
				}
				for j < len(k) && (k[j] >= '0' && k[j] <= '9' || k[j] == ';') {
					j++
				}
				if j >= len(k) || k[j] != 'm' {
					t.Fatalf("non-SGR escape kept: %q", k)
				}
			}
		}
		if IsClean(s) != (Clean(s) == s) {
			t.Fatalf("IsClean disagrees for %q", s)
		}
	})
}

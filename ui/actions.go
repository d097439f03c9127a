package ui

import (
	"net/url"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/config"
)

// actions.go: confirm dialogs, toasts, abort, open and copy.

// notEditable says why an integration cannot be changed in the dashboard.
func notEditable(in config.Integration, verb string) string {
	if in.Source == "config" {
		return in.Nickname + " comes from the config file; " + verb + " it there"
	}
	return in.Nickname + " is a " + in.Source + " integration; it cannot be changed here"
}

func (m *Model) setToast(s string, isErr bool) {
	m.toast = s
	m.toastErr = isErr
	m.toastSeq++
}

func (m *Model) toastTimer() tea.Cmd {
	return m.after(5*time.Second, toastClearMsg{seq: m.toastSeq})
}

func (m *Model) onAborted(msg abortedMsg) tea.Cmd {
	if msg.err != nil {
		m.deps.Log.Warn("abort failed", "integration", msg.nick, "build", msg.number, "err", clean(msg.err.Error()))
		m.setToast("abort #"+itoa(msg.number)+" failed: "+toastErr(msg.err), true)
		return m.toastTimer()
	}
	m.deps.Log.Info("abort requested", "integration", msg.nick, "build", msg.number)
	m.setToast("abort requested for #"+itoa(msg.number), false)
	var cmd tea.Cmd
	if ig := m.find(msg.nick); ig != nil {
		cmd = m.pollNow(ig, true)
	}
	return tea.Batch(cmd, m.toastTimer())
}

// safeURL reports whether u may be opened: http(s) on the integration's server.
func safeURL(u, base string) bool {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return false
	}
	pb, err := url.Parse(base)
	if err != nil {
		return false
	}
	return strings.EqualFold(pu.Scheme, pb.Scheme) && strings.EqualFold(pu.Host, pb.Host) && strings.HasPrefix(pu.Path, strings.TrimSuffix(pb.Path, "/"))
}

func (m *Model) openBrowser(u string) tea.Cmd {
	ig := m.cur()
	if u == "" || ig == nil {
		return nil
	}
	if !safeURL(u, ig.cfg.URL) {
		m.setToast("not opening "+clean(u)+": not an http(s) URL on "+clean(ig.cfg.URL), true)
		return m.toastTimer()
	}
	return openCmd(m.deps.Ctx, m.deps.Browser, u)
}

func (m *Model) onOpened(msg openedMsg) tea.Cmd {
	switch {
	case msg.err != nil:
		m.setToast("could not open a browser ("+clean(msg.err.Error())+"): "+clean(msg.url), true)
	case !msg.opened:
		m.setToast("open: "+clean(msg.url), false)
		m.toastSeq++
		return nil // stays until the next toast
	default:
		m.setToast("opened "+clean(msg.url), false)
	}
	return m.toastTimer()
}

package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
)

// cmds.go: every IO the dashboard does. Each constructor takes values (never
// the model), bounds the call with a timeout under the root context and
// returns one typed message.

const storeTimeout = 10 * time.Second

func timeoutOf(in config.Integration) time.Duration {
	if in.Timeout > 0 {
		return in.Timeout
	}
	return 20 * time.Second
}

func loadStoreIntegrationsCmd(ctx context.Context, st Store) tea.Cmd {
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, storeTimeout)
		defer cancel()
		ints, err := st.Integrations(c)
		return storeIntegrationsMsg{ints: ints, err: err}
	}
}

func loadJobCmd(ctx context.Context, api jenkins.API, in config.Integration) tea.Cmd {
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, timeoutOf(in))
		defer cancel()
		j, err := api.Job(c, in.Job)
		return jobLoadedMsg{nick: in.Nickname, job: j, err: err}
	}
}

func triggerCmd(ctx context.Context, api jenkins.API, in config.Integration, params map[string]string) tea.Cmd {
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, timeoutOf(in))
		defer cancel()
		id, err := api.Trigger(c, in.Job, params)
		return triggeredMsg{nick: in.Nickname, queueID: id, err: err}
	}
}

func queueItemCmd(ctx context.Context, api jenkins.API, in config.Integration, id int64) tea.Cmd {
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, timeoutOf(in))
		defer cancel()
		it, err := api.QueueItem(c, id)
		if err == nil && it.ID == 0 {
			it.ID = id
		}
		return queueItemMsg{nick: in.Nickname, item: it, err: err}
	}
}

func abortCmd(ctx context.Context, api jenkins.API, in config.Integration, number int) tea.Cmd {
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, timeoutOf(in))
		defer cancel()
		return abortedMsg{nick: in.Nickname, number: number, err: api.Stop(c, in.Job, number)}
	}
}

func logChunkCmd(ctx context.Context, api jenkins.API, in config.Integration, number int, start int64, gen uint64) tea.Cmd {
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, timeoutOf(in))
		defer cancel()
		ch, err := api.Log(c, in.Job, number, start)
		return logChunkMsg{gen: gen, chunk: ch, err: err}
	}
}

func openCmd(ctx context.Context, b Browser, url string) tea.Cmd {
	return func() tea.Msg {
		if b == nil {
			return openedMsg{url: url}
		}
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		ok, err := b.Open(c, url)
		return openedMsg{url: url, opened: ok, err: err}
	}
}

// checkCmd starts a connection test; its steps arrive one message at a time.
func checkCmd(ctx context.Context, ck Checker, in config.Integration, gen uint64) tea.Cmd {
	ch := make(chan checkEvent, 8)
	go func() {
		c, cancel := context.WithTimeout(ctx, 4*timeoutOf(in))
		defer cancel()
		err := ck.Check(c, in, func(s CheckStep) {
			s2 := s
			select {
			case ch <- checkEvent{step: &s2}:
			case <-c.Done():
			}
		})
		ch <- checkEvent{err: err, done: true}
		close(ch)
	}()
	return nextCheckCmd(ch, gen)
}

func nextCheckCmd(ch <-chan checkEvent, gen uint64) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok || ev.done {
			return checkDoneMsg{gen: gen, err: ev.err}
		}
		return checkStepMsg{gen: gen, step: *ev.step, next: ch}
	}
}

// fresh says the edit points the integration at another server or job: the
// stored builds and results, keyed by nickname, belong to the old job and
// are dropped with it.
func saveIntegrationCmd(ctx context.Context, st Store, in config.Integration, replace string, fresh bool) tea.Cmd {
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, storeTimeout)
		defer cancel()
		if st == nil {
			return integrationSavedMsg{in: in, replace: replace, fresh: fresh, err: errors.New("no store to save to")}
		}
		if replace != "" && (replace != in.Nickname || fresh) {
			if err := st.DeleteIntegration(c, replace); err != nil {
				return integrationSavedMsg{in: in, replace: replace, fresh: fresh, err: err}
			}
		}
		return integrationSavedMsg{in: in, replace: replace, fresh: fresh, err: st.SaveIntegration(c, in)}
	}
}

func deleteIntegrationCmd(ctx context.Context, st Store, nick string) tea.Cmd {
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, storeTimeout)
		defer cancel()
		if st == nil {
			return integrationDeletedMsg{nick: nick, err: fmt.Errorf("no store")}
		}
		return integrationDeletedMsg{nick: nick, err: st.DeleteIntegration(c, nick)}
	}
}

func tickCmd(d time.Duration, msg tea.Msg) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}

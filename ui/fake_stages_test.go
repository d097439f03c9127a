package ui

import (
	"context"

	"github.com/jeeves-dev/jeeves/jenkins"
)

// TailLog serves the fake's tails, else its log from the first chunk, as a
// Jenkins that found the log no longer than the window would.
func (f *fakeAPI) TailLog(ctx context.Context, job string, number int, window int64) (jenkins.LogTail, error) {
	f.mu.Lock()
	t, ok := f.tails[number]
	terr := f.tailErr
	f.mu.Unlock()
	if terr != nil {
		f.count("tail")
		return jenkins.LogTail{}, terr
	}
	if ok {
		return t, f.count("tail")
	}
	ch, err := f.Log(ctx, job, number, 0)
	if err != nil {
		return jenkins.LogTail{}, err
	}
	return jenkins.LogTail{Text: ch.Text, NextOffset: ch.NextOffset, More: ch.More, Method: jenkins.TailWhole, Requests: 1}, nil
}

func (f *fakeAPI) StageLog(ctx context.Context, job string, number int, stageID string) (jenkins.StageLog, error) {
	if err := f.count("stagelog"); err != nil {
		return jenkins.StageLog{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.stageLogs[stageID]
	if !ok {
		return jenkins.StageLog{}, &jenkins.Error{Op: "read the stage log", Kind: jenkins.ErrorNotFound, What: "no such node"}
	}
	return l, nil
}

package ui

import (
	"context"

	"github.com/jeeves-dev/jeeves/jenkins"
)

// TailLog serves the fake's log from its first chunk, as a Jenkins that
// found the log no longer than the window would.
func (f *fakeAPI) TailLog(ctx context.Context, job string, number int, window int64) (jenkins.LogTail, error) {
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
	return jenkins.StageLog{}, nil
}

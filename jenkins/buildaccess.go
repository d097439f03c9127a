package jenkins

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// BuildAccess is what a harmless POST tells about starting builds of a job.
type BuildAccess struct {
	CanBuild    bool  // Jenkins let the user past its Job/Build permission check
	CrumbNeeded bool  // Jenkins wanted a CSRF crumb on POST (password auth, or an old server)
	Denied      error // when CanBuild is false: Jenkins's refusal (IsAuth is true for it)
	// QueuedID is non-zero when Jenkins queued a build after all (it should
	// not); the probe then cancelled that queue item.
	QueuedID int64
}

// ProbeBuild learns whether the user may build job, without starting a
// build: it POSTs a request Jenkins refuses with 400 only after its
// permission check — /build without the form a parameterized job needs, or
// /buildWithParameters to a job that has no parameters. So 400 means the
// user may build and 403 means not. The POST also shows whether the server
// wants a CSRF crumb. A disabled job answers 409 before any permission
// check; that is returned as an error (IsNotBuildable). Never call it on a
// multibranch project or folder: there /build starts a scan.
func (c *Client) ProbeBuild(ctx context.Context, job string, parameterized bool) (BuildAccess, error) {
	jp, cl, err := c.jobCall(job, "trigger", fmt.Sprintf("check the build permission on %q", job))
	if err != nil {
		return BuildAccess{}, err
	}
	cl.method = http.MethodPost
	cl.path, cl.form = jp+"/buildWithParameters", url.Values{}
	if parameterized {
		cl.path, cl.form = jp+"/build", nil
	}
	resp, err := c.do(ctx, cl)
	acc := BuildAccess{CrumbNeeded: c.needCrumb.Load()}
	if err != nil {
		switch e, _ := err.(*Error); {
		case e != nil && e.Status == http.StatusBadRequest:
			acc.CanBuild = true
			return acc, nil
		case e != nil && (e.Kind == ErrorForbidden || e.Kind == ErrorAnonymous):
			acc.Denied = err
			return acc, nil
		case e != nil && e.Status == http.StatusConflict:
			e.Kind = ErrorNotBuildable
			e.What = "the job is disabled or cannot be built"
			e.Hint = "enable it in Jenkins"
		}
		return acc, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.body, maxErrorBody))
	resp.body.Close()
	acc.CanBuild = true
	if m := queueLocRe.FindStringSubmatch(resp.Header.Get("Location")); m != nil {
		fmt.Sscan(m[1], &acc.QueuedID)
	}
	if acc.QueuedID > 0 {
		cancel := &call{kind: "queue", op: fmt.Sprintf("cancel queue item %d", acc.QueuedID), method: http.MethodPost,
			path: "/queue/cancelItem", query: url.Values{"id": {fmt.Sprint(acc.QueuedID)}}.Encode(),
			notFound: fmt.Sprintf("queue item %d", acc.QueuedID)}
		if r, err := c.do(ctx, cancel); err != nil {
			return acc, err
		} else {
			r.body.Close()
		}
	}
	return acc, nil
}

package jenkinstest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
)

// seriesBuild is one build of a History.Series index: how it went, the
// sources of its artifacts (by artifact path) and of its console text.
type seriesBuild struct {
	Number    int               `json:"number"`
	Result    string            `json:"result"`
	Console   string            `json:"console"`
	Artifacts map[string]string `json:"artifacts"`
}

// seriesIndex is the file demo/history.js writes.
type seriesIndex struct {
	Builds []seriesBuild `json:"builds"`
}

// maxSeries bounds the builds an index may give.
const maxSeries = 100000

// loadSeries reads an index; the sources it names are relative to it
// ("demo:NAME" for an index in the demo reports).
func (s *Server) loadSeries(src string) (map[int]*seriesBuild, error) {
	data, err := s.source(src)
	if err != nil {
		return nil, err
	}
	var idx seriesIndex
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("%s: %v", src, err)
	}
	if len(idx.Builds) > maxSeries {
		return nil, fmt.Errorf("%s: more than %d builds", src, maxSeries)
	}
	rel := func(name string) string {
		if name == "" {
			return ""
		}
		if strings.HasPrefix(src, "demo:") {
			return "demo:" + name
		}
		return path.Join(path.Dir(src), name)
	}
	out := make(map[int]*seriesBuild, len(idx.Builds))
	for i := range idx.Builds {
		b := &idx.Builds[i]
		switch b.Result {
		case "SUCCESS", "UNSTABLE", "FAILURE", "ABORTED", "NOT_BUILT":
		default:
			return nil, fmt.Errorf("%s: build %d: unknown result %q", src, b.Number, b.Result)
		}
		if b.Number < 1 || out[b.Number] != nil {
			return nil, fmt.Errorf("%s: build number %d is out of range or given twice", src, b.Number)
		}
		b.Console = rel(b.Console)
		for k, v := range b.Artifacts {
			b.Artifacts[k] = rel(v)
		}
		out[b.Number] = b
	}
	return out, nil
}

// gunzip undoes the gzip of a ".gz" source (the demo keeps its many
// per-build reports compressed).
func gunzip(name string, b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return out, nil
}

//go:build !unix

package store

import "time"

// cpuTime is unavailable here: the metric reads 0.
func cpuTime() time.Duration { return 0 }

//go:build unix

package store

import (
	"os"
	"syscall"
)

// lockAside takes an exclusive lock that serializes moving a damaged store
// aside between jeeves processes (and goroutines: each call opens its own
// descriptor). It blocks until the lock is free.
func lockAside(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

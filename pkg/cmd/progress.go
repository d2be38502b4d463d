package cmd

import (
	"io"
	"time"

	"github.com/briandowns/spinner"
)

// progress shows on a spinner what a command waits for, only when the stream
// is a terminal: piped or captured output stays free of it.
type progress struct{ s *spinner.Spinner }

func startProgress(w io.Writer) *progress {
	f, ok := terminalOf(w)
	if !ok {
		return &progress{}
	}
	s := spinner.New(spinner.CharSets[14], 100*time.Millisecond, spinner.WithWriter(f))
	s.Start()
	return &progress{s: s}
}

// say replaces the text beside the spinner.
func (p *progress) say(text string) {
	if p.s == nil {
		return
	}
	p.s.Lock()
	p.s.Suffix = " " + text
	p.s.Unlock()
}

func (p *progress) stop() {
	if p.s != nil {
		p.s.Stop()
	}
}

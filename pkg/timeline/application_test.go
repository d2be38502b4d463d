package timeline

import (
	"testing"
	"time"
)

func TestAppSpansOf(t *testing.T) {
	now := at(100)
	for _, tc := range []struct {
		name  string
		marks AppMarks
		want  string
	}{
		{"every executor running", AppMarks{Submitted: at(0), DriverCreated: at(3), DriverStarted: at(12), FirstExecutorCreated: at(14), ExecutorsRunning: at(40)},
			"submit:done:3 request:done:2 executors:done:26"},
		{"spark-submit still at work", AppMarks{Submitted: at(90)}, "submit:open:10"},
		{"the driver not started: nothing asked yet", AppMarks{Submitted: at(0), DriverCreated: at(3)}, "submit:done:3"},
		{"executors still coming", AppMarks{Submitted: at(0), DriverCreated: at(3), DriverStarted: at(12), FirstExecutorCreated: at(14)},
			"submit:done:3 request:done:2 executors:open:86"},
		{"the submission time not known: unknown, never zero", AppMarks{DriverCreated: at(3), DriverStarted: at(12), FirstExecutorCreated: at(14), ExecutorsRunning: at(40)},
			"submit:unknown request:done:2 executors:done:26"},
		{"a SparkConnect: its server is not submitted", AppMarks{NoSubmit: true, DriverCreated: at(3), DriverStarted: at(12)},
			"request:open:88"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := brief(AppSpansOf(tc.marks, now)); got != tc.want {
				t.Errorf("AppSpansOf =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestExecutorsRunning(t *testing.T) {
	started := []time.Time{at(30), {}, at(40)}
	if got := ExecutorsRunning(started, 3); !got.IsZero() {
		t.Errorf("2 of 3 started: %v, want not yet", got)
	}
	if got := ExecutorsRunning(started, 2); !got.Equal(at(40)) {
		t.Errorf("2 of 2 started: %v, want the last, %v", got, at(40))
	}
	if got := ExecutorsRunning(nil, 0); !got.IsZero() {
		t.Errorf("none asked, none started: %v", got)
	}
}

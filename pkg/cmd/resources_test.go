package cmd

import (
	"slices"
	"strings"
	"testing"
)

// Every command reads [TYPE/]NAME arguments the same way.
func TestParseRef(t *testing.T) {
	for _, tc := range []struct {
		arg  string
		kind refKind
		name string
	}{
		{"spark-pi", refUntyped, "spark-pi"},
		{"app/spark-pi", refApp, "spark-pi"},
		{"sparkapplication/spark-pi", refApp, "spark-pi"},
		{"SparkApp/spark-pi", refApp, "spark-pi"},
		{"sparkapplications.sparkoperator.k8s.io/spark-pi", refApp, "spark-pi"},
		{"scheduledsparkapplication/nightly", refScheduled, "nightly"},
		{"scheduledsparkapp.v1beta2.sparkoperator.k8s.io/nightly", refScheduled, "nightly"},
		{"sparkconnect/sc", refConnect, "sc"},
		{"SparkConn/sc", refConnect, "sc"},
		{"sparkconnects.v1alpha1.sparkoperator.k8s.io/sc", refConnect, "sc"},
		// SparkConnect is served at v1alpha1 only.
		{"sparkconnects.v1beta2.sparkoperator.k8s.io/sc", refOther, "sc"},
		{"pod/spark-pi-driver", refPod, "spark-pi-driver"},
		{"po/spark-pi-driver", refPod, "spark-pi-driver"},
		{"deployment/web", refOther, "web"},
		{"app/", refApp, ""},
	} {
		if got := parseRef(tc.arg); got.kind != tc.kind || got.name != tc.name {
			t.Errorf("parseRef(%q) = %+v, want kind %d, name %q", tc.arg, got, tc.kind, tc.name)
		}
	}
}

// The forms of an argument, each with the kind it names (refUntyped: NAME
// alone, whose kind is the command's).
var argForms = []struct {
	arg  string
	kind refKind
}{
	{"x", refUntyped},
	{"app/x", refApp},
	{"sparkapplication/x", refApp},
	{"sparkapplications/x", refApp},
	{"sparkapp/x", refApp},
	{"SparkApplication.sparkoperator.k8s.io/x", refApp},
	{"sparkapplications.v1beta2.sparkoperator.k8s.io/x", refApp},
	{"scheduledsparkapplication/x", refScheduled},
	{"scheduledsparkapp/x", refScheduled},
	{"scheduledsparkapplications.sparkoperator.k8s.io/x", refScheduled},
	{"sparkconnect/x", refConnect},
	{"sparkconn/x", refConnect},
	{"sparkconnects.v1alpha1.sparkoperator.k8s.io/x", refConnect},
	{"pod/x", refPod},
	{"po/x", refPod},
	{"deployment/x", refOther},
}

// What each command takes, said once here as the oracle: the table is the
// spec (README: each command's arguments), not a copy of argKinds.
var takes = map[string][]refKind{
	"place":           {refApp, refScheduled, refConnect},
	"status":          {refApp, refConnect},
	"cache-report":    {refPod, refApp, refConnect},
	"timeline":        {refPod, refApp, refConnect},
	"image-cache":     {refApp, refScheduled, refConnect},
	"resource-policy": {refApp},
}

func TestEveryCommandEveryForm(t *testing.T) {
	commands := map[string]argKinds{
		"place": placeArgs, "status": statusArgs, "cache-report": cacheReportArgs,
		"timeline": timelineArgs, "image-cache": imageCacheArgs, "resource-policy": resourcePolicyArgs,
	}
	for command, a := range commands {
		for _, form := range argForms {
			kind := form.kind
			if kind == refUntyped {
				kind = a.bare
			}
			want := slices.Contains(takes[command], kind)
			r, err := a.resolve(form.arg)
			switch {
			case want && err != nil:
				t.Errorf("%s %s: %v, want it taken", command, form.arg, err)
			case want && (r.kind != kind || r.name != "x"):
				t.Errorf("%s %s = %+v, want kind %d, name x", command, form.arg, r, kind)
			case !want && err == nil:
				t.Errorf("%s %s taken as %+v, want it refused", command, form.arg, r)
			case !want && !strings.HasPrefix(err.Error(), command+" takes ") || err != nil && strings.Contains(err.Error(), "\n"):
				t.Errorf("%s %s: %q, want one line that says what %s takes", command, form.arg, err, command)
			}
			// What completion offers once TYPE/ is typed is what resolve takes.
			typ, _, typed := strings.Cut(form.arg, "/")
			if typed {
				offered := a.completesType(typ)
				if offered != want {
					t.Errorf("%s %s/<TAB>: completes %v, but the command takes it: %v", command, typ, offered, want)
				}
			}
		}
		if _, err := a.resolve("app/"); err == nil || err.Error() != `"app/" names no object: give `+a.forms() {
			t.Errorf("%s app/: %v", command, err)
		}
	}
}

func TestRefusalsSayWhatToGive(t *testing.T) {
	for _, tc := range []struct {
		a    argKinds
		arg  string
		want string
	}{
		{statusArgs, "scheduledsparkapp/nightly",
			`status takes a SparkApplication or a SparkConnect (NAME, app/NAME or sparkconnect/NAME), not "scheduledsparkapp/nightly": its runs are SparkApplications named nightly-<time>`},
		{cacheReportArgs, "deployment/web",
			`cache-report takes a Pod, a SparkApplication or a SparkConnect (NAME, app/NAME or sparkconnect/NAME), not "deployment/web"`},
		{resourcePolicyArgs, "sparkconnect/sc",
			`resource-policy takes a SparkApplication (NAME or app/NAME), not "sparkconnect/sc"`},
		{placeArgs, "pod/x",
			`place takes SparkApplications, ScheduledSparkApplications or SparkConnects (NAME, app/NAME, scheduledsparkapplication/NAME or sparkconnect/NAME), not "pod/x"`},
	} {
		if _, err := tc.a.resolve(tc.arg); err == nil || err.Error() != tc.want {
			t.Errorf("%s %s: %v\nwant %s", tc.a.command, tc.arg, err, tc.want)
		}
	}
}

func TestPlaceTargets(t *testing.T) {
	const app, sched, conn = "sparkapplications.v1beta2.sparkoperator.k8s.io", "scheduledsparkapplications.v1beta2.sparkoperator.k8s.io", "sparkconnects.v1alpha1.sparkoperator.k8s.io"
	for _, tc := range []struct {
		args      []string
		selecting bool
		want      string // the builder's arguments, with every kind served
		wantErr   string
	}{
		{nil, false, "", ""},
		{nil, true, app + "," + conn, ""},
		{[]string{"spark-pi"}, false, app + "/spark-pi", ""},
		{[]string{"app/a", "b"}, false, app + "/a " + app + "/b", ""},
		{[]string{"scheduledsparkapplication/nightly", "a"}, false, sched + "/nightly " + app + "/a", ""},
		{[]string{"sparkapp", "a", "b"}, false, app + "/a " + app + "/b", ""},
		{[]string{"ScheduledSparkApplications.sparkoperator.k8s.io", "x"}, false, sched + "/x", ""},
		{[]string{"scheduledsparkapp"}, true, sched, ""},
		{[]string{"sparkconnects"}, true, conn, ""},
		{[]string{"sparkconnects"}, false, "", `"sparkconnects" names a type, not the objects to place`},
		{[]string{"sparkapp", "a/b"}, false, "", `"a/b": give TYPE NAME... or TYPE/NAME..., not both`},
		{[]string{"pod/x"}, false, "", `place takes SparkApplications`},
		{[]string{"pods", "x"}, false, "", `place takes SparkApplications`},
		{[]string{"deployments"}, true, "", `not "deployments"`},
		{[]string{"app/"}, false, "", `"app/" names no object`},
	} {
		got, err := placeTargetsOf(tc.args, tc.selecting)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("placeTargetsOf(%v, %v): %v, want an error with %q", tc.args, tc.selecting, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("placeTargetsOf(%v, %v): %v", tc.args, tc.selecting, err)
		default:
			if args := strings.Join(got.builderArgs(got.kinds), " "); args != tc.want {
				t.Errorf("placeTargetsOf(%v, %v) builds %q, want %q", tc.args, tc.selecting, args, tc.want)
			}
		}
	}
	// A selection of every kind leaves out what the server does not serve.
	sel, _ := placeTargetsOf(nil, true)
	if got := strings.Join(sel.builderArgs([]refKind{refApp}), " "); got != app {
		t.Errorf("with SparkConnects not served: %q, want %q", got, app)
	}
}

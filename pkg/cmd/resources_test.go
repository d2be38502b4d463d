package cmd

import "testing"

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
		// A SparkConnect is not at v1beta2.
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
	if _, err := needName("pod/"); err == nil || err.Error() != `"pod/" names no object` {
		t.Errorf("needName(pod/) = %v", err)
	}
	if r, err := needName("spark-pi"); err != nil || r.name != "spark-pi" {
		t.Errorf("needName(spark-pi) = %+v, %v", r, err)
	}
}

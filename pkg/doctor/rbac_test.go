package doctor

import (
	"os"
	"path/filepath"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/component-helpers/auth/rbac/validation"
	"sigs.k8s.io/yaml"
)

// rules reads the rules of a Role or ClusterRole in deploy/rbac.
func rules(t *testing.T, file string) []rbacv1.PolicyRule {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "deploy", "rbac", file))
	if err != nil {
		t.Fatal(err)
	}
	var role struct {
		Rules []rbacv1.PolicyRule `json:"rules"`
	}
	if err := yaml.Unmarshal(data, &role); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return role.Rules
}

// asRules are needs as the RBAC rules that grant them.
func asRules(needs []Need) []rbacv1.PolicyRule {
	out := make([]rbacv1.PolicyRule, len(needs))
	for i, n := range needs {
		out[i] = rbacv1.PolicyRule{Verbs: []string{n.Verb}, APIGroups: []string{n.Group}, Resources: []string{n.Resource}}
	}
	return out
}

// What doctor checks a user may do is what deploy/rbac grants: the Role
// every need in the namespace, the image caches' ClusterRole every
// cluster-wide one, the ClusterRole all; and the Role and the image caches'
// ClusterRole grant nothing doctor does not check.
func TestRightsMatchDeployRBAC(t *testing.T) {
	var namespaced, cluster []Need
	for _, c := range Commands {
		for _, n := range c.Needs {
			if n.Cluster {
				cluster = append(cluster, n)
			} else {
				namespaced = append(namespaced, n)
			}
		}
	}
	for _, tc := range []struct {
		file  string
		needs []Need
		only  bool // the file grants these needs and nothing more
	}{
		{"role.yaml", namespaced, true},
		{"imagecache-clusterrole.yaml", cluster, true},
		{"clusterrole.yaml", append(namespaced, cluster...), false},
	} {
		granted := rules(t, tc.file)
		if ok, missing := validation.Covers(granted, asRules(tc.needs)); !ok {
			t.Errorf("%s does not grant what doctor checks: %v", tc.file, missing)
		}
		if ok, extra := validation.Covers(asRules(tc.needs), granted); tc.only && !ok {
			t.Errorf("%s grants what no command needs, or doctor does not check: %v", tc.file, extra)
		}
	}
}

// SparkConnects are placed and shown: doctor checks the rights to them.
func TestRightsCoverSparkConnects(t *testing.T) {
	for _, want := range []struct{ command, verb string }{{"place", "patch"}, {"status", "watch"}} {
		found := false
		for _, c := range Commands {
			for _, n := range c.Needs {
				found = found || c.Name == want.command && n.Resource == "sparkconnects" && n.Verb == want.verb
			}
		}
		if !found {
			t.Errorf("doctor does not check that %s may %s sparkconnects", want.command, want.verb)
		}
	}
}

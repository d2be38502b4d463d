package imagecache

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func parse(t *testing.T, manifest string) map[string]interface{} {
	t.Helper()
	var obj map[string]interface{}
	if err := yaml.Unmarshal([]byte(manifest), &obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

const sparkImage = "registry-cn-hangzhou.ack.aliyuncs.com/ack-demo/spark:3.5.2"

func TestApplicationImages(t *testing.T) {
	for _, tc := range []struct {
		name     string
		manifest string
		want     []string
		wantErr  string
	}{
		{name: "the guide's application: one image for both roles", manifest: `
kind: SparkApplication
spec:
  image: ` + sparkImage + `
  driver: {cores: 1}
  executor: {instances: 2}`,
			want: []string{sparkImage}},
		{name: "a role's own image wins over the application's", manifest: `
kind: SparkApplication
spec:
  image: spark:3.5.2
  executor: {image: spark-gpu:3.5.2}`,
			want: []string{"spark-gpu:3.5.2", "spark:3.5.2"}},
		{name: "init containers and sidecars of the operator's fields", manifest: `
kind: SparkApplication
spec:
  image: spark:3.5.2
  driver:
    initContainers: [{name: deps, image: busybox:1.36}]
    sidecars: [{name: log, image: fluent-bit:3.0}]
  executor:
    sidecars: [{name: log, image: fluent-bit:3.0}, {name: no-image}]`,
			want: []string{"busybox:1.36", "fluent-bit:3.0", "spark:3.5.2"}},
		{name: "a SparkConnect: spec.image for the server and its executors", manifest: `
kind: SparkConnect
spec:
  image: spark:4.0.0
  server: {cores: 1}
  executor: {instances: 2}`,
			want: []string{"spark:4.0.0"}},
		{name: "a SparkConnect: the templates' Spark containers give their images, the rest are pulled too", manifest: `
kind: SparkConnect
spec:
  image: spark:4.0.0
  server:
    template:
      spec:
        initContainers: [{name: fetch, image: alpine:3.20}]
        containers:
        - {name: proxy, image: envoy:1.30}
        - {name: spark-kubernetes-driver, image: spark-connect:4.0.0}
  executor:
    template:
      spec:
        containers:
        - {name: spark-kubernetes-executor, image: spark-exec:4.0.0}
        - {name: log, image: fluent-bit:3.0}`,
			want: []string{"alpine:3.20", "envoy:1.30", "fluent-bit:3.0", "spark-connect:4.0.0", "spark-exec:4.0.0"}},
		{name: "a SparkConnect server's first container is Spark's when none is named so", manifest: `
kind: SparkConnect
spec:
  image: spark:4.0.0
  server:
    template:
      spec:
        containers: [{name: main, image: my-spark:4.0.0}]
  executor:
    template:
      spec:
        containers: [{name: main, image: ignored-by-the-operator:1}]`,
			want: []string{"my-spark:4.0.0", "spark:4.0.0"}},
		{name: "a SparkConnect with no image", manifest: `
kind: SparkConnect
spec:
  server: {cores: 1}
  executor: {instances: 1}`,
			wantErr: "the server has no image: set spec.image"},
		{name: "pod templates: Spark's own container takes the Spark image", manifest: `
kind: SparkApplication
spec:
  image: spark:3.5.2
  driver:
    template:
      spec:
        initContainers: [{name: fetch, image: alpine:3.20}]
        containers:
        - {name: proxy, image: envoy:1.30}
        - {name: spark-kubernetes-driver, image: ignored-by-spark:1}
  executor:
    template:
      spec:
        containers:
        - {name: first-is-spark, image: ignored-too:1}
        - {name: agent, image: datadog-agent:7}`,
			want: []string{"alpine:3.20", "datadog-agent:7", "envoy:1.30", "spark:3.5.2"}},
		{name: "each run of a scheduled application", manifest: `
kind: ScheduledSparkApplication
spec:
  schedule: "@every 1h"
  template:
    image: spark:3.5.2
    driver: {sidecars: [{name: s, image: sidecar:1}]}`,
			want: []string{"sidecar:1", "spark:3.5.2"}},
		{name: "no image anywhere", manifest: `
kind: SparkApplication
spec: {driver: {cores: 1}}`,
			wantErr: "the driver has no image: set spec.image (or spec.driver.image)"},
		{name: "the executor without an image", manifest: `
kind: SparkApplication
spec: {driver: {image: spark:3.5.2}}`,
			wantErr: "the executor has no image"},
		{name: "a container that is not an object", manifest: `
kind: SparkApplication
spec: {image: spark:3.5.2, driver: {sidecars: [oops]}}`,
			wantErr: "spec.driver: [sidecars]: a container is not an object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ApplicationImages(parse(t, tc.manifest))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("images %q, want %q", got, tc.want)
			}
		})
	}
}

func TestApplicationPullSecrets(t *testing.T) {
	for _, tc := range []struct {
		name, manifest string
		want           []string
	}{
		{"a SparkApplication's own and its templates'", `
kind: SparkApplication
spec:
  imagePullSecrets: [acr, acr]
  driver: {template: {spec: {imagePullSecrets: [{name: drv}]}}}`, []string{"acr", "drv"}},
		{"a ScheduledSparkApplication's, in its template", `
kind: ScheduledSparkApplication
spec:
  template:
    imagePullSecrets: [acr]`, []string{"acr"}},
		{"a SparkConnect's, in its roles' templates", `
kind: SparkConnect
spec:
  server: {template: {spec: {imagePullSecrets: [{name: srv}]}}}
  executor: {template: {spec: {imagePullSecrets: [{name: exe}, {}]}}}`, []string{"exe", "srv"}},
		{"none", `
kind: SparkConnect
spec: {server: {}, executor: {}}`, nil},
	} {
		if got := ApplicationPullSecrets(parse(t, tc.manifest)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

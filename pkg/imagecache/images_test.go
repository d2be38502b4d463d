package imagecache

import (
	"reflect"
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

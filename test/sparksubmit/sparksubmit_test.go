package sparksubmit

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// argv is what the operator's controller passes for the guide's spark-pi with
// an annotated driver and executor (v2.5.2 adds the pod template options).
func argv(t *testing.T, extra ...string) []string {
	t.Helper()
	return append(append([]string{
		"--master", "k8s://https://127.0.0.1:6443", "--deploy-mode", "cluster",
		"--class", "org.apache.spark.examples.SparkPi", "--name", "spark-pi",
		"--conf", "spark.kubernetes.namespace=spark",
		"--conf", "spark.kubernetes.container.image=spark:3.5.2",
		"--conf", "spark.kubernetes.submission.waitAppCompletion=false",
		"--conf", "spark.kubernetes.driver.pod.name=spark-pi-driver",
		"--conf", "spark.kubernetes.driver.label.sparkoperator.k8s.io/app-name=spark-pi",
		"--conf", "spark.kubernetes.driver.label.sparkoperator.k8s.io/launched-by-spark-operator=true",
		"--conf", "spark.kubernetes.driver.label.sparkoperator.k8s.io/submission-id=7f9c",
		"--conf", "spark.driver.cores=1", "--conf", "spark.driver.memory=512m",
		"--conf", "spark.kubernetes.authenticate.driver.serviceAccountName=spark",
		"--conf", "spark.kubernetes.driver.annotation.k8s.aliyun.com/eci-image-cache=true",
		"--conf", "spark.kubernetes.executor.label.sparkoperator.k8s.io/app-name=spark-pi",
		"--conf", "spark.kubernetes.executor.annotation.k8s.aliyun.com/eci-spot-strategy=SpotAsPriceGo",
		"--conf", "spark.executor.instances=3", "--conf", "spark.executor.cores=2", "--conf=spark.executor.memory=4g",
	}, extra...), "local:///opt/spark/examples/jars/spark-examples.jar", "5000")
}

func TestParse(t *testing.T) {
	s, err := Parse(argv(t, "--load-spark-defaults"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Class != "org.apache.spark.examples.SparkPi" || s.MainFile != "local:///opt/spark/examples/jars/spark-examples.jar" ||
		!reflect.DeepEqual(s.Args, []string{"5000"}) || s.Conf["spark.executor.memory"] != "4g" || s.Conf["spark.app.name"] != "spark-pi" {
		t.Errorf("parsed %+v", s)
	}
	for _, tc := range []struct {
		argv    []string
		wantErr string
	}{
		{[]string{"--master", "k8s://https://h:1", "--deploy-mode", "client", "x.jar"}, "only cluster mode"},
		{[]string{"--master", "local[*]", "--deploy-mode", "cluster", "x.jar"}, "want k8s://"},
		{[]string{"--master", "k8s://https://h:1", "--deploy-mode", "cluster", "--conf", "novalue", "x.jar"}, `--conf "novalue"`},
		{[]string{"--master"}, "needs a value"},
	} {
		if _, err := Parse(tc.argv); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("Parse(%q) = %v, want %q", tc.argv, err, tc.wantErr)
		}
	}
}

func TestDriverAndExecutorPods(t *testing.T) {
	dir := t.TempDir()
	template := filepath.Join(dir, "executor-pod-template.yaml")
	if err := os.WriteFile(template, []byte(`
metadata: {labels: {team: ml}}
spec:
  tolerations: [{key: virtual-kubelet.io/provider, operator: Equal, value: alibabacloud, effect: NoSchedule}]
  containers:
  - {name: agent, image: datadog/agent:7}
  - {name: spark-kubernetes-executor, image: replaced:1}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Parse(argv(t, "--conf", "spark.kubernetes.executor.podTemplateFile="+template,
		"--conf", "spark.kubernetes.executor.podTemplateContainerName=spark-kubernetes-executor"))
	if err != nil {
		t.Fatal(err)
	}
	driver, cm, err := DriverPod(s, "spark-0123")
	if err != nil {
		t.Fatal(err)
	}
	if driver.Name != "spark-pi-driver" || driver.Namespace != "spark" || driver.Spec.ServiceAccountName != "spark" ||
		driver.Labels["spark-role"] != "driver" || driver.Labels["sparkoperator.k8s.io/submission-id"] != "7f9c" ||
		driver.Labels["spark-app-selector"] != "spark-0123" ||
		!reflect.DeepEqual(driver.Annotations, map[string]string{"k8s.aliyun.com/eci-image-cache": "true"}) {
		t.Errorf("driver %+v", driver.ObjectMeta)
	}
	c := driver.Spec.Containers[0]
	if c.Name != "spark-kubernetes-driver" || c.Image != "spark:3.5.2" || c.Resources.Requests.Memory().String() != "896Mi" ||
		c.Resources.Requests.Cpu().String() != "1" || c.VolumeMounts[0].MountPath != "/opt/spark/conf" {
		t.Errorf("driver container %+v", c)
	}
	if ConfigMapName(driver) != cm.Name || cm.Namespace != "spark" {
		t.Errorf("configmap %s/%s, the driver mounts %q", cm.Namespace, cm.Name, ConfigMapName(driver))
	}

	conf := DriverConf(cm)
	if Executors(conf) != 3 || conf["spark.app.id"] != "spark-0123" {
		t.Errorf("the driver's properties: %v", conf)
	}
	driver.UID = "uid-driver"
	exec, err := ExecutorPod(conf, driver, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(exec.Name, "spark-pi-") || !strings.HasSuffix(exec.Name, "-exec-2") ||
		exec.Labels["spark-role"] != "executor" || exec.Labels["spark-exec-id"] != "2" || exec.Labels["team"] != "ml" ||
		exec.Annotations["k8s.aliyun.com/eci-spot-strategy"] != "SpotAsPriceGo" ||
		len(exec.OwnerReferences) != 1 || exec.OwnerReferences[0].UID != "uid-driver" {
		t.Errorf("executor %+v", exec.ObjectMeta)
	}
	// The template's Spark container takes Spark's image; its agent stays.
	if len(exec.Spec.Containers) != 2 || exec.Spec.Containers[1].Image != "spark:3.5.2" || exec.Spec.Containers[0].Image != "datadog/agent:7" ||
		exec.Spec.Containers[1].Resources.Requests.Memory().String() != "4505Mi" || len(exec.Spec.Tolerations) != 1 {
		t.Errorf("executor spec %+v", exec.Spec)
	}
	if other, _ := ExecutorPod(conf, driver, 3); !strings.HasPrefix(other.Name, strings.TrimSuffix(exec.Name, "2")) {
		t.Errorf("executors of one driver share a prefix: %s, %s", exec.Name, other.Name)
	}
	if _, _, err := DriverPod(&Submit{Conf: Conf{}}, "x"); err == nil || !strings.Contains(err.Error(), "no image") {
		t.Errorf("no image: %v", err)
	}
}

func TestJVMMiB(t *testing.T) {
	for in, want := range map[string]int64{"512m": 512, "4g": 4096, "2048k": 2, "1024": 1024, "1G": 1024, "3gb": 3072} {
		if got, err := JVMMiB(in); err != nil || got != want {
			t.Errorf("JVMMiB(%q) = %d, %v, want %d", in, got, err, want)
		}
	}
	if _, err := JVMMiB("lots"); err == nil {
		t.Error("lots read as a size")
	}
}

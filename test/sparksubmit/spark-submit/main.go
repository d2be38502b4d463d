// Command spark-submit stands in for Apache Spark's in the end-to-end tests:
// the Spark operator's controller runs it as $SPARK_HOME/bin/spark-submit,
// and it does to the cluster what Spark's does in cluster mode. It creates the
// ConfigMap of the driver's properties and the driver pod, makes the pod the
// ConfigMap's owner, and exits 0; an existing driver pod fails it as Spark's
// fails (its message carries code=409, which the operator looks for). It
// reaches the API server through $KUBECONFIG.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"

	"github.com/spark-eci/kubectl-spark-eci/test/sparksubmit"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "spark-submit: %v\n", err)
		os.Exit(1)
	}
}

func run(argv []string) error {
	s, err := sparksubmit.Parse(argv)
	if err != nil {
		return err
	}
	config, err := clientcmd.BuildConfigFromFlags("", os.Getenv("KUBECONFIG"))
	if err != nil {
		return fmt.Errorf("read $KUBECONFIG: %w", err)
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return err
	}
	pod, configMap, err := sparksubmit.DriverPod(s, sparksubmit.NewAppID())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	configMaps := client.CoreV1().ConfigMaps(pod.Namespace)
	created, err := configMaps.Create(ctx, configMap, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("create configmap %s: %w", configMap.Name, err)
	}
	configMap = created
	driver, err := client.CoreV1().Pods(pod.Namespace).Create(ctx, pod, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		_ = configMaps.Delete(ctx, configMap.Name, metav1.DeleteOptions{})
		return fmt.Errorf("Failure executing: POST pods. Message: pods %q already exists. Received status: Status(code=409, reason=AlreadyExists)", pod.Name)
	}
	if err != nil {
		_ = configMaps.Delete(ctx, configMap.Name, metav1.DeleteOptions{})
		return fmt.Errorf("create driver pod %s: %w", pod.Name, err)
	}
	// As Spark does, so that the properties go with the driver.
	configMap.OwnerReferences = []metav1.OwnerReference{{
		APIVersion: "v1", Kind: "Pod", Name: driver.Name, UID: driver.UID, Controller: ptr.To(true),
	}}
	if _, err := configMaps.Update(ctx, configMap, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("own configmap %s: %w", configMap.Name, err)
	}
	fmt.Fprintf(os.Stderr, "spark-submit: created pod %s/%s\n", driver.Namespace, driver.Name)
	return nil
}

// Package sparksubmit plays Apache Spark's part on Kubernetes for the
// end-to-end tests, from the same inputs Spark gets: the arguments the Spark
// operator's controller passes to $SPARK_HOME/bin/spark-submit (cluster
// mode), and the properties the driver then reads. It makes the driver pod,
// the ConfigMap of the driver's properties, and the executor pods, with the
// names, labels, annotations, resources, pod templates and owners Spark gives
// them; the operator's webhook, the scheduler and the tests' kubelet do the
// rest. It does not run Spark.
package sparksubmit

import (
	"fmt"
	"sort"
	"strings"
)

// Submit is one spark-submit command line.
type Submit struct {
	Master, DeployMode, Class, Name string
	// MainFile is the application's jar or script, Args its arguments.
	MainFile string
	Args     []string
	Conf     Conf
}

// Conf is Spark configuration: spark.* keys and their values.
type Conf map[string]string

// Options of spark-submit that take no value.
var switches = map[string]bool{"--verbose": true, "--supervise": true, "--load-spark-defaults": true, "-v": true}

// Parse reads spark-submit's arguments: options (--conf K=V repeated, the
// named ones), then the main file and its arguments.
func Parse(argv []string) (*Submit, error) {
	s := &Submit{Conf: Conf{}}
	for i := 0; i < len(argv); i++ {
		arg := argv[i]
		if !strings.HasPrefix(arg, "-") {
			s.MainFile, s.Args = arg, argv[i+1:]
			break
		}
		if switches[arg] {
			continue
		}
		// --opt VALUE, or --opt=VALUE.
		name, value, inline := strings.Cut(arg, "=")
		if !inline {
			if i+1 >= len(argv) {
				return nil, fmt.Errorf("option %s needs a value", arg)
			}
			i++
			value = argv[i]
		}
		switch name {
		case "--conf", "-c":
			k, v, ok := strings.Cut(value, "=")
			if !ok {
				return nil, fmt.Errorf("--conf %q: want KEY=VALUE", value)
			}
			s.Conf[k] = v
		case "--master":
			s.Master = value
		case "--deploy-mode":
			s.DeployMode = value
		case "--class":
			s.Class = value
		case "--name":
			s.Name = value
		}
	}
	if s.DeployMode != "cluster" {
		return nil, fmt.Errorf("--deploy-mode %q: only cluster mode creates a driver pod", s.DeployMode)
	}
	if !strings.HasPrefix(s.Master, "k8s://") {
		return nil, fmt.Errorf("--master %q: want k8s://https://HOST:PORT", s.Master)
	}
	if s.Name != "" {
		s.Conf["spark.app.name"] = s.Name
	}
	return s, nil
}

// Prefixed returns the keys under prefix, without it.
func (c Conf) Prefixed(prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range c {
		if rest, ok := strings.CutPrefix(k, prefix); ok && rest != "" {
			out[rest] = v
		}
	}
	return out
}

// Get is the value of the first key that is set, else def.
func (c Conf) Get(def string, keys ...string) string {
	for _, k := range keys {
		if v, ok := c[k]; ok && v != "" {
			return v
		}
	}
	return def
}

// Properties writes the configuration as the spark.properties file Spark
// mounts into the driver, one key=value a line, sorted.
func (c Conf) Properties() string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s\n", k, c[k])
	}
	return b.String()
}

// ParseProperties reads what Properties writes.
func ParseProperties(s string) Conf {
	c := Conf{}
	for _, line := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(k, "#") {
			c[k] = v
		}
	}
	return c
}

package placement

import "testing"

// BenchmarkApply places the user application of the table tests: the cost of
// one object in a "place -l ..." over many applications.
func BenchmarkApply(b *testing.B) {
	app := userApp(b)
	cache, _ := ParseImageCache("auto")
	req := Request{Driver: ECS, Executor: ECI, ImageCache: cache, Nodes: AlibabaCloudECI}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Apply(app, req); err != nil {
			b.Fatal(err)
		}
	}
}

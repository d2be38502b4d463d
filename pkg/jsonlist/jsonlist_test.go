package jsonlist

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

type item struct {
	Name  string            `json:"name"`
	Tags  []string          `json:"tags"`
	Attrs map[string]string `json:"attrs,omitempty"`
}

type doc struct {
	Kind  string `json:"kind"`
	Items []item `json:"items"`
	After struct {
		Count int `json:"count"`
	} `json:"after"`
}

// Write writes what json.MarshalIndent does, byte for byte, whatever the
// number of items, escaping included.
func TestWriteIsMarshalIndent(t *testing.T) {
	all := []item{
		{Name: "a", Tags: []string{"x"}},
		{Name: "<b> & \"c\"", Tags: []string{}, Attrs: map[string]string{"k": "v", "a": "b"}},
		{Name: "d"},
	}
	for n := range len(all) + 1 {
		d := doc{Kind: "List", Items: all[:n]}
		d.After.Count = n
		want, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		shell := d
		shell.Items = []item{}
		var got bytes.Buffer
		if err := Write(&got, shell, "items", d.Items); err != nil {
			t.Fatal(err)
		}
		if got.String() != string(want)+"\n" {
			t.Errorf("%d items: wrote\n%s\nwant\n%s", n, got.String(), want)
		}
	}
}

func TestWriteNeedsTheEmptyList(t *testing.T) {
	err := Write(&bytes.Buffer{}, doc{Items: nil}, "items", []item{{Name: "a"}})
	if err == nil || !strings.Contains(err.Error(), `no empty list "items"`) {
		t.Errorf("a shell whose list is null: %v", err)
	}
}

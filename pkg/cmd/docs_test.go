package cmd

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// The docs, read from the repository's root.
var docsFiles = []string{"README.md", "docs/*.md"}

// A fenced block of a Markdown file.
type mdBlock struct {
	lang string // what follows the opening fence: "sh", "yaml", "" for output
	body string
	line int // of the opening fence, from 1
	// follows says the block comes right after the one before it, with only
	// blank lines between: an output block under the command that printed it.
	follows bool
}

// mdParse splits a Markdown file into its fenced blocks and its prose (the
// lines outside every fence).
func mdParse(text string) (blocks []mdBlock, prose []string) {
	var cur *mdBlock
	var body []string
	sinceBlock := -1 // lines outside a fence since the last block closed; -1 before any
	for i, line := range strings.Split(text, "\n") {
		if cur == nil {
			if lang, ok := strings.CutPrefix(line, "```"); ok {
				cur = &mdBlock{lang: strings.TrimSpace(lang), line: i + 1, follows: sinceBlock == 0}
				body = nil
				continue
			}
			prose = append(prose, line)
			if sinceBlock >= 0 && strings.TrimSpace(line) != "" {
				sinceBlock++
			}
			continue
		}
		if line == "```" {
			cur.body = strings.Join(body, "\n") + "\n"
			blocks = append(blocks, *cur)
			cur, sinceBlock = nil, 0
			continue
		}
		body = append(body, line)
	}
	return blocks, prose
}

func readDocs(t *testing.T) map[string]string {
	t.Helper()
	docs := map[string]string{}
	for _, pattern := range docsFiles {
		paths, err := filepath.Glob(filepath.Join("../..", pattern))
		if err != nil || len(paths) == 0 {
			t.Fatalf("no %s: %v", pattern, err)
		}
		for _, path := range paths {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel("../..", path)
			docs[filepath.ToSlash(rel)] = string(b)
		}
	}
	return docs
}

// placeLocalArgs gives the plugin's arguments of an example that runs
// place --local, as the docs write it: "kubectl spark-eci place ..." or
// "bin/kubectl-spark_eci place ..." (after "make build &&"). ok is false for
// any other command, and for one that the shell would do more with than run
// (quotes, redirection, pipes, variables).
func placeLocalArgs(command string) (args []string, ok bool) {
	if strings.ContainsAny(command, `'"<>|$;`+"`") {
		return nil, false
	}
	command = strings.TrimPrefix(command, "make build && ")
	fields := strings.Fields(command)
	switch {
	case len(fields) > 2 && fields[0] == "kubectl" && fields[1] == "spark-eci":
		args = fields[2:]
	case len(fields) > 1 && fields[0] == "bin/kubectl-spark_eci":
		args = fields[1:]
	default:
		return nil, false
	}
	local := false
	for _, a := range args {
		local = local || a == "--local" || a == "--local=true"
	}
	return args, args[0] == "place" && local
}

// An example of place --local followed by its output prints that output
// today: run in-process on the repository's files, its stdout, then its
// stderr, are the output block, byte for byte. Each file that shows place's
// output has at least one such example, so that the test cannot pass by
// finding none.
func TestDocsPlaceLocalExamples(t *testing.T) {
	docs := readDocs(t)
	t.Chdir("../..") // the examples name files from the repository's root
	checked := map[string]int{}
	for _, name := range []string{"README.md", "docs/place.md"} {
		blocks, _ := mdParse(docs[name])
		for i := 0; i+1 < len(blocks); i++ {
			cmd, out := blocks[i], blocks[i+1]
			if cmd.lang != "sh" || out.lang != "" || !out.follows {
				continue
			}
			command := strings.TrimSpace(cmd.body)
			if strings.Contains(command, "\n") {
				continue // several commands: no one output
			}
			args, ok := placeLocalArgs(command)
			if !ok {
				continue
			}
			checked[name]++
			t.Run(name+":"+strconv.Itoa(cmd.line), func(t *testing.T) {
				stdout, stderr, code := run(t, args...)
				if code != 0 {
					t.Fatalf("%s: exit %d: %s", command, code, stderr)
				}
				if got := stdout + stderr; got != out.body {
					t.Errorf("%s:%d: %s prints\n%s\nthe docs show\n%s", name, out.line, command, got, out.body)
				}
			})
		}
	}
	for _, name := range []string{"README.md", "docs/place.md"} {
		if checked[name] == 0 {
			t.Errorf("%s: no example of place --local with its output was found", name)
		}
	}
}

var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// Every relative link of the docs names a file that exists, and, when it
// names a heading of a Markdown file (#anchor), a heading that file has.
func TestDocsLinks(t *testing.T) {
	docs := readDocs(t)
	anchors := map[string]map[string]bool{}
	for name, text := range docs {
		_, prose := mdParse(text)
		anchors[name] = mdAnchors(prose)
	}
	links := 0
	for name, text := range docs {
		_, prose := mdParse(text)
		for _, line := range prose {
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				links++
				path, anchor, _ := strings.Cut(target, "#")
				file := name
				if path != "" {
					file = filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(name), path)))
					if _, err := os.Stat(filepath.Join("../..", file)); err != nil {
						t.Errorf("%s: link %s: %v", name, target, err)
						continue
					}
				}
				if anchor == "" || !strings.HasSuffix(file, ".md") {
					continue
				}
				known, ok := anchors[file]
				if !ok {
					b, err := os.ReadFile(filepath.Join("../..", file))
					if err != nil {
						t.Fatal(err)
					}
					_, prose := mdParse(string(b))
					known = mdAnchors(prose)
					anchors[file] = known
				}
				if !known[anchor] {
					t.Errorf("%s: link %s: %s has no heading #%s", name, target, file, anchor)
				}
			}
		}
	}
	if links == 0 {
		t.Error("no relative links found: the parser is broken")
	}
}

// mdAnchors gives the anchors GitHub makes of a file's headings: lower case,
// punctuation dropped but for '-' and '_', spaces made '-', and a repeated
// heading numbered from -1.
func mdAnchors(prose []string) map[string]bool {
	anchors := map[string]bool{}
	seen := map[string]int{}
	for _, line := range prose {
		title, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " ")
		if !strings.HasPrefix(line, "#") || !ok {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(title)) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		anchor := b.String()
		if n := seen[anchor]; n > 0 {
			anchors[anchor+"-"+strconv.Itoa(n)] = true
		} else {
			anchors[anchor] = true
		}
		seen[anchor]++
	}
	return anchors
}

// The chart docs/timeline.md and the README show, with its summary, is
// the golden the timeline's tests hold them to, byte for byte.
func TestDocsTimelineChartIsTheGolden(t *testing.T) {
	docs := readDocs(t)
	golden, err := os.ReadFile("../timeline/fromcluster/testdata/chart-app-100.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"README.md", "docs/timeline.md"} {
		blocks, _ := mdParse(docs[name])
		found := false
		for _, b := range blocks {
			if b.lang == "" && strings.HasPrefix(b.body, "POD ") && strings.Contains(b.body, "app/spark-pi ") {
				found = true
				if b.body != string(golden) {
					t.Errorf("%s:%d: the chart is not pkg/timeline/fromcluster/testdata/chart-app-100.txt:\n%s", name, b.line, b.body)
				}
			}
		}
		if !found {
			t.Errorf("%s shows no timeline chart", name)
		}
	}
}

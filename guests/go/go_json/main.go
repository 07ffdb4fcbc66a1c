// A Go (wasip1) program for compile-time benchmarks: encoding/json, fmt, sort and maps pull in
// a large part of Go's runtime and standard library (a 4.5 MB module of some 2,500
// functions with large br_tables), as any Go program does.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

type Item struct {
	Name  string            `json:"name"`
	Count int               `json:"count"`
	Tags  map[string]string `json:"tags"`
}

func main() {
	items := []Item{}
	for i := 0; i < 50; i++ {
		items = append(items, Item{Name: fmt.Sprintf("item%d", i), Count: i * i, Tags: map[string]string{"k": strings.Repeat("x", i%7)}})
	}
	sort.Slice(items, func(a, b int) bool { return items[a].Count > items[b].Count })
	out, err := json.Marshal(items[:5])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(out))
}

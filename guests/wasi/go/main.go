// A stock Go program for GOOS=wasip1 (os.ReadFile, os.Stat, os.ReadDir, os.Args,
// os.Getenv), built by scripts/build-guests.sh; the test (crates/cli/tests/
// wasi_programs.rs) runs it with fixtures/wasi-dir as ".".
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	fmt.Printf("args=%q\n", os.Args)
	fmt.Printf("GREETING=%q\n", os.Getenv("GREETING"))
	b, err := os.ReadFile("hello.txt")
	if err != nil {
		panic(err)
	}
	fmt.Printf("hello.txt=%s", b)
	st, err := os.Stat("hello.txt")
	if err != nil {
		panic(err)
	}
	fmt.Printf("size=%d\n", st.Size())
	nested, err := os.ReadFile("sub/nested.txt")
	if err != nil {
		panic(err)
	}
	fmt.Printf("nested=%q\n", nested)
	entries, err := os.ReadDir(".")
	if err != nil {
		panic(err)
	}
	fmt.Print("dir=")
	for i, e := range entries {
		if i > 0 {
			fmt.Print(",")
		}
		fmt.Print(e.Name())
	}
	fmt.Println()
	_, err = os.Open("missing.txt")
	fmt.Printf("missing=%v\n", os.IsNotExist(err))
	_, err = os.Create("new.txt")
	fmt.Printf("create refused=%v\n", err != nil)
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		panic(err)
	}
	fmt.Printf("stdin=%q\n", in)
	fmt.Println("stdout: été ✓")
	fmt.Fprintln(os.Stderr, "stderr: ünïcödé ✓")
}

package config

import (
	"fmt"
	"strconv"
	"strings"
)

// maxExpansion bounds how many names one pattern may produce.
const maxExpansion = 4096

// ExpandEllipses expands every {A...B} range in arg into the names it
// stands for, in order: "/mnt/disk{1...3}" gives /mnt/disk1, /mnt/disk2,
// /mnt/disk3. Ranges keep zero padding ("{01...16}") and may appear several
// times in one argument, the rightmost varying fastest. An argument with no
// range is returned as it is.
func ExpandEllipses(arg string) ([]string, error) {
	open := strings.Index(arg, "{")
	if open < 0 {
		return []string{arg}, nil
	}
	end := strings.Index(arg[open:], "}")
	if end < 0 {
		return nil, fmt.Errorf("config: %q: unclosed {", arg)
	}
	end += open
	inner := arg[open+1 : end]
	lo, hi, ok := strings.Cut(inner, "...")
	if !ok {
		return nil, fmt.Errorf("config: %q: want {A...B}", arg)
	}
	from, err1 := strconv.Atoi(lo)
	to, err2 := strconv.Atoi(hi)
	if err1 != nil || err2 != nil || from < 0 || to < from {
		return nil, fmt.Errorf("config: %q: bad range {%s}", arg, inner)
	}
	width := 0
	if len(lo) > 1 && lo[0] == '0' {
		width = len(lo)
	}
	rest, err := ExpandEllipses(arg[end+1:])
	if err != nil {
		return nil, err
	}
	if (to-from+1)*len(rest) > maxExpansion {
		return nil, fmt.Errorf("config: %q expands to more than %d names", arg, maxExpansion)
	}
	var out []string
	for i := from; i <= to; i++ {
		n := fmt.Sprintf("%0*d", width, i)
		for _, r := range rest {
			out = append(out, arg[:open]+n+r)
		}
	}
	return out, nil
}

// ExpandAll expands every argument and concatenates the results.
func ExpandAll(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		names, err := ExpandEllipses(a)
		if err != nil {
			return nil, err
		}
		out = append(out, names...)
	}
	return out, nil
}

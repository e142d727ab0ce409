package analysis

import (
	"math"
	"strconv"
	"strings"
)

// EvalFormula evaluates an RDS DB parameter value on instance class c: an integer, or a DB
// parameter formula (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ParamValuesRef.html)
// built from integers, the variables DBInstanceClassMemory (bytes) and DBInstanceVCPU in braces
// with * and / by integers ("{DBInstanceClassMemory*3/32768}", operators left to right, each
// division truncated as RDS's integer arithmetic does), and the functions GREATEST, LEAST and SUM
// of comma-separated arguments ("LEAST({DBInstanceClassMemory/9531392},5000)"); a braced term may
// be written ${...}, as RDS shows some defaults. Function and variable names are case-insensitive;
// spaces are ignored.
//
// DBInstanceClassMemory is taken as c's memory (c.MemoryBytes): RDS's is the memory it leaves to
// the database, a little less, so a memory formula's value is at most the result. DBInstanceVCPU is
// c.VCPU rounded, at least 1.
//
// ok is false, and the value 0, for anything else: another variable (AllocatedStorage,
// EndPointPort, DBInstanceClassHugePagesDefault, ...), IF or another function, a division by zero,
// an empty value, and for a class whose memory or vCPUs are not positive and finite when the
// formula needs them. The value is not clamped to any parameter's range.
func EvalFormula(value string, c InstanceClass) (v float64, ok bool) {
	p := formulaParser{s: strings.ReplaceAll(value, " ", ""), class: c}
	v, ok = p.expr()
	if !ok || p.i != len(p.s) || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// FormulaEvaluable reports whether EvalFormula evaluates value: an integer or a formula of its
// grammar, on a class of any positive memory and vCPUs (what a value evaluates to, not whether it
// does, depends on the class). "" is not evaluable.
func FormulaEvaluable(value string) bool {
	_, ok := EvalFormula(value, InstanceClass{VCPU: 2, MemoryGiB: 8})
	return ok
}

// formulaParser is a recursive-descent parser of EvalFormula's grammar over s from index i.
type formulaParser struct {
	s     string
	i     int
	class InstanceClass
}

func (p *formulaParser) peek(b byte) bool { return p.i < len(p.s) && p.s[p.i] == b }

// integer reads an optionally negative integer.
func (p *formulaParser) integer() (float64, bool) {
	j := p.i
	if p.peek('-') {
		j++
	}
	k := j
	for k < len(p.s) && p.s[k] >= '0' && p.s[k] <= '9' {
		k++
	}
	if k == j {
		return 0, false
	}
	n, err := strconv.ParseFloat(p.s[p.i:k], 64)
	if err != nil {
		return 0, false
	}
	p.i = k
	return n, true
}

// expr is an integer, a braced variable term, or a function call.
func (p *formulaParser) expr() (float64, bool) {
	if p.peek('$') { // RDS shows some defaults as ${Variable}: GREATEST(${DBInstanceVCPU*2},8)
		p.i++
		if !p.peek('{') {
			return 0, false
		}
	}
	switch {
	case p.peek('{'):
		return p.term()
	case p.peek('-') || p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9':
		return p.integer()
	}
	j := p.i
	for j < len(p.s) && (p.s[j] >= 'A' && p.s[j] <= 'Z' || p.s[j] >= 'a' && p.s[j] <= 'z') {
		j++
	}
	name := strings.ToUpper(p.s[p.i:j])
	if j >= len(p.s) || p.s[j] != '(' || name != "GREATEST" && name != "LEAST" && name != "SUM" {
		return 0, false
	}
	p.i = j + 1
	var args []float64
	for {
		v, ok := p.expr()
		if !ok {
			return 0, false
		}
		args = append(args, v)
		if p.peek(',') {
			p.i++
			continue
		}
		if !p.peek(')') {
			return 0, false
		}
		p.i++
		break
	}
	out := args[0]
	for _, a := range args[1:] {
		switch name {
		case "GREATEST":
			out = math.Max(out, a)
		case "LEAST":
			out = math.Min(out, a)
		case "SUM":
			out += a
		}
	}
	return out, true
}

// term is {Variable(*Integer|/Integer)*}.
func (p *formulaParser) term() (float64, bool) {
	p.i++ // '{'
	j := p.i
	for j < len(p.s) && (p.s[j] >= 'A' && p.s[j] <= 'Z' || p.s[j] >= 'a' && p.s[j] <= 'z') {
		j++
	}
	var v float64
	switch strings.ToLower(p.s[p.i:j]) {
	case "dbinstanceclassmemory":
		if !(p.class.MemoryGiB > 0) || math.IsInf(p.class.MemoryGiB, 0) {
			return 0, false
		}
		v = math.Floor(p.class.MemoryBytes())
	case "dbinstancevcpu":
		if !(p.class.VCPU > 0) || math.IsInf(p.class.VCPU, 0) {
			return 0, false
		}
		v = math.Max(1, math.Round(p.class.VCPU))
	default:
		return 0, false
	}
	p.i = j
	for p.peek('*') || p.peek('/') {
		op := p.s[p.i]
		p.i++
		n, ok := p.integer()
		if !ok {
			return 0, false
		}
		if op == '*' {
			v *= n
			continue
		}
		if n == 0 {
			return 0, false
		}
		v = math.Trunc(v / n)
	}
	if !p.peek('}') {
		return 0, false
	}
	p.i++
	return v, true
}

package analysis

import (
	"fmt"
	"math"
	"testing"
)

func TestEvalFormula(t *testing.T) {
	large := InstanceClass{Name: "db.t4g.large", VCPU: 2, MemoryGiB: 8}
	mem := float64(8 << 30)
	for _, tc := range []struct {
		value string
		want  float64
		ok    bool
	}{
		{"858", 858, true},
		{"-5", -5, true},
		{"LEAST({DBInstanceClassMemory/9531392},5000)", math.Floor(mem / 9531392), true},
		{"least( {dbinstanceclassmemory/9531392} , 5000 )", 901, true},
		{"LEAST({DBInstanceClassMemory/100000},5000)", 5000, true},
		{"GREATEST({DBInstanceClassMemory/64371566592},3)", 3, true},
		{"{DBInstanceClassMemory*3/32768}", math.Floor(mem * 3 / 32768), true},
		{"{DBInstanceClassMemory/32768*3}", math.Floor(mem/32768) * 3, true}, // left to right, truncated after each division
		{"SUM({DBInstanceClassMemory/12038},-50003)", math.Floor(mem/12038) - 50003, true},
		{"GREATEST(${DBInstanceVCPU*2},8)", 8, true},
		{"{DBInstanceVCPU*16}", 32, true},
		{"SUM(1,2,3)", 6, true},
		{"LEAST(GREATEST(10,{DBInstanceVCPU}),5)", 5, true},
		// Not evaluated.
		{"", 0, false},
		{"{AllocatedStorage/4}", 0, false},
		{"{DBInstanceClassMemory/0}", 0, false},
		{"IF({TrueIfReplica},1,0)", 0, false},
		{"LEAST({DBInstanceClassMemory/9531392},5000", 0, false},
		{"LEAST()", 0, false},
		{"{DBInstanceClassMemory/9531392}x", 0, false},
		{"{DBInstanceClassMemory/9531392", 0, false},
		{"{DBInstanceClassMemory/x}", 0, false},
		{"$5", 0, false},
		{"8GB", 0, false},
		{"1e3", 0, false},
		{"99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999", 0, false},
	} {
		got, ok := EvalFormula(tc.value, large)
		if got != tc.want || ok != tc.ok {
			t.Errorf("EvalFormula(%q) = %v, %v; want %v, %v", tc.value, got, ok, tc.want, tc.ok)
		}
	}
	// A class without memory or vCPUs evaluates no formula that needs them; integers still are.
	for _, c := range []InstanceClass{{Name: "zero"}, {Name: "nan", VCPU: math.NaN(), MemoryGiB: math.NaN()}, {Name: "inf", VCPU: math.Inf(1), MemoryGiB: math.Inf(1)}} {
		for _, f := range []string{"{DBInstanceClassMemory/9531392}", "{DBInstanceVCPU*2}"} {
			if v, ok := EvalFormula(f, c); ok || v != 0 {
				t.Errorf("%s: EvalFormula(%q) = %v, %v; want 0, false", c.Name, f, v, ok)
			}
		}
		if v, ok := EvalFormula("100", c); !ok || v != 100 {
			t.Errorf("%s: EvalFormula(100) = %v, %v", c.Name, v, ok)
		}
	}
}

func ExampleEvalFormula() {
	large := InstanceClass{Name: "db.r6g.large", VCPU: 2, MemoryGiB: 16}
	v, ok := EvalFormula("LEAST({DBInstanceClassMemory/9531392},5000)", large)
	fmt.Println(v, ok)
	v, ok = EvalFormula("{AllocatedStorage/4}", large)
	fmt.Println(v, ok)
	// Output:
	// 1802 true
	// 0 false
}

func ExampleFormulaEvaluable() {
	fmt.Println(FormulaEvaluable("LEAST({DBInstanceClassMemory/9531392},5000)"), FormulaEvaluable("{AllocatedStorage/4}"), FormulaEvaluable(""))
	// Output:
	// true false false
}

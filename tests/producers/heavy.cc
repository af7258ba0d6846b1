// SPDX-License-Identifier: GPL-3.0-or-later
// C++ that makes clang -ftime-trace write a deep, nested trace (templates, headers, optimisation).
#include <map>
#include <string>
#include <vector>
#include <algorithm>
#include <functional>

template <int N> struct Fib { static constexpr long value = Fib<N - 1>::value + Fib<N - 2>::value; };
template <> struct Fib<1> { static constexpr long value = 1; };
template <> struct Fib<0> { static constexpr long value = 0; };

long
run (int n)
{
  std::map<std::string, std::vector<int>> m;
  for (int i = 0; i < n; i++)
    m[std::to_string (i % 17)].push_back (i);
  long s = Fib<40>::value;
  for (auto &kv : m)
    {
      std::sort (kv.second.begin (), kv.second.end (), std::greater<int> ());
      s += kv.second.front ();
    }
  return s;
}

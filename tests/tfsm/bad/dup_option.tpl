Value Key,Key A (\w+)

Start
  ^${A}

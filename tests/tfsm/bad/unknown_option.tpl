Value Sticky A (\w+)

Start
  ^${A}

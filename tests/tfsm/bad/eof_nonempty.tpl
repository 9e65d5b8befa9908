Value A (\w+)

Start
  ^${A}

EOF
  ^x

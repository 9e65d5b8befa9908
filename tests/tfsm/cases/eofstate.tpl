Value A (\w+)

Start
  ^a ${A}

EOF

Value List L ((a)(b))

Start
  ^x(?: ${L})?

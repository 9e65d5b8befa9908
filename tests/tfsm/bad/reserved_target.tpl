Value A (\w+)

Start
  ^${A} -> Next.Record Record

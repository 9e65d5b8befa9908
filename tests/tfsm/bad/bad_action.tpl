Value A (\w+)

Start
  ^${A} -> Next.Bogus

Value Filldown VRF (\S+)
Value PREFIX (\S+)

Start
  ^vrf ${VRF}
  ^route ${PREFIX} -> Record
  ^clear -> Clear
  ^reset -> Clearall

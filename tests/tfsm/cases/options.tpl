# every option on one input
Value Filldown CHASSIS (\S+)
Value Key,Required IFACE (\S+)
Value STATUS (up|down)
Value List ADDR (\d+(?:\.\d+){3})
Value Fillup SITE (\w+)

Start
  ^Chassis ${CHASSIS}
  ^Interface ${IFACE} is ${STATUS}
  ^\s+inet ${ADDR}
  ^\s*$$ -> Record
  ^Site ${SITE}

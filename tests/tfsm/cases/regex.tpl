Value VeryLongValueNameThatIsMoreThanThirtyTwoBytes_x (\w+)
Value DIGITS (\d+)
Value WORD (\w+)
Value SP (\s)
Value CLS ([[:digit:]]+)
Value BR (a{,2})
Value U (\u00e9+)
Value END (\S+)

Start
  ^long ${VeryLongValueNameThatIsMoreThanThirtyTwoBytes_x} -> Record
  ^d ${DIGITS}$$ -> Record
  ^w ${WORD}\b -> Record
  ^s${SP}x -> Record
  ^c ${CLS} -> Record
  ^b ${BR}$$ -> Record
  ^u ${U} -> Record
  ^z ${END}\Z -> Record
  ^(?i:caseless) ${WORD} -> Record
  ^v\v -> Record

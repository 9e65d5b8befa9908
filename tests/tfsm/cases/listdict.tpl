Value List MEMBERS ((?P<name>\w+):(?P<age>\d+)(?:/(?P<tag>\w+))?)
Value List PLAIN ((\w+)-(\d+))
Value GROUP (\w+)

Start
  ^group ${GROUP}
  ^ m ${MEMBERS}
  ^ p ${PLAIN}
  ^end -> Record

Value Required PRICE (\d+)
Value CUR (\w+)

Start
  ^cost: \$$$PRICE ${CUR}$$ -> Record
  ^x$$

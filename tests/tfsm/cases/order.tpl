Value Required,List RL (\w*)
Value List,Required LR (\w*)
Value K (\w+)

Start
  ^rl ${RL}
  ^lr ${LR}
  ^rec ${K} -> Record

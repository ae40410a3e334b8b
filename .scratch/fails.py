import json,sys
e=json.load(open(sys.argv[1]))
for s in e['scenarios']:
  for r in s['runs']:
    if r['verdict']!='pass':
      v=r['violation']
      print(r['seed'], r['verdict'], v['kind'] if v else '', (v['message'][:110] if v else ''), '|', ','.join(r['generated']['aimed']))

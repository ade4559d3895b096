# Writes src/ConferenceDemo/Simulator/telnyx-request-schemas.json: the request schemas (body and query) of the
# Telnyx operations the built-in simulator serves, taken from Telnyx's OpenAPI spec with every $ref inlined and
# descriptions and examples left out. The simulator validates each request against them.
#   python3 tools/make-simulator-schemas.py <telnyx-callcontrol.v2.json> src/ConferenceDemo/Simulator/telnyx-request-schemas.json
import json,sys
s=json.load(open(sys.argv[1]))
def res(x,depth=0):
    if isinstance(x,dict):
        if '$ref' in x:
            p=x['$ref'].split('/')[1:]
            y=s
            for k in p: y=y[k]
            return res(y,depth+1)
        out={}
        for k,v in x.items():
            if k in('description','example','examples','title','x-stainless-naming','externalDocs','default','deprecated','x-enum-descriptions','readOnly','writeOnly','nullable_','x-stainless-param'): continue
            if k=='discriminator': continue
            out[k]=res(v,depth)
        return out
    if isinstance(x,list): return [res(v,depth) for v in x]
    return x
want_call=['answer','hangup','speak','gather_using_speak','playback_start','playback_stop','record_start','record_stop','record_pause','record_resume']
want_conf=['join','leave','mute','unmute','hold','unhold','speak','play','stop','record_start','record_stop','record_pause','record_resume','end','update']
ops={}
for path,o in s['paths'].items():
    for m,op in o.items():
        if m not in('post','get'): continue
        ok = path in('/v2/calls','/v2/conferences','/v2/conferences/{conference_id}/participants','/v2/recordings/{recording_id}') \
          or (path.startswith('/v2/calls/{call_control_id}/actions/') and path.split('/')[-1] in want_call) \
          or (path.startswith('/v2/conferences/{id}/actions/') and path.split('/')[-1] in want_conf)
        if not ok: continue
        e={}
        if 'requestBody' in op:
            rb=res(op['requestBody'])
            e['bodyRequired']=rb.get('required',False)
            e['body']=rb['content']['application/json']['schema']
        params=[res(p) for p in op.get('parameters',[])]
        e['parameters']=[{'name':p['name'],'in':p['in'],'required':p.get('required',False),'style':p.get('style'),'explode':p.get('explode'),'schema':p.get('schema',{})} for p in params]
        ops[m.upper()+' '+path[3:]]=e
out=json.dumps({'source':'Telnyx OpenAPI spec (team-telnyx/openapi spec3.yml, commit 12de4dd), request schemas of the operations the simulator serves, references inlined','operations':ops},separators=(',',':'),sort_keys=True)
open(sys.argv[2],'w').write(out)
print(len(out), list(ops))

import { expect } from 'chai';
import type { AgreementEventType, Role } from '../../workflows/agreement/agreement.events.ts';
import { nextEventsFor, startWorkflow, step, type PersistedWorkflow } from '../../workflows/agreement/agreement.workflow.ts';

const PARTIES = ['sverdlovsk', 'gyeonggi'] as const;
const event = (type: AgreementEventType, party: string, role: Role) => ({ type, actor: { party, role } });

/** Applies events that must all be accepted; fails the test at the first refusal. */
function run(workflow: PersistedWorkflow, ...events: ReturnType<typeof event>[]): PersistedWorkflow {
  return events.reduce((current, next) => {
    const outcome = step(current, next);
    if (!outcome.accepted) throw new Error(`${next.type} by ${next.actor.role}@${next.actor.party} refused: ${outcome.reason}`);
    return outcome.next;
  }, workflow);
}

const submitted = () => run(startWorkflow(PARTIES), event('SUBMIT', 'sverdlovsk', 'legal'));
const reviewed = () => run(submitted(), event('APPROVE', 'sverdlovsk', 'legal'), event('APPROVE', 'gyeonggi', 'legal'));
const approved = () => run(reviewed(), event('APPROVE', 'gyeonggi', 'official'), event('APPROVE', 'sverdlovsk', 'official'));

describe('agreement machine', () => {
  it('when a new agreement starts, then it is drafting with no approvals', () => {
    expect(startWorkflow(PARTIES)).to.deep.equal({
      value: 'drafting',
      context: {
        parties: [...PARTIES],
        reviewedBy: [],
        approvedBy: [],
        signedBy: [],
        terms: { firstSigner: null, entryIntoForce: 'signature' },
        completions: {},
        inForceSince: null,
        term: 1,
        notice: null,
      },
    });
  });

  it('when the happy path runs, then every stage is passed in order and the last signature executes it', () => {
    const afterFirstReview = run(submitted(), event('APPROVE', 'sverdlovsk', 'legal'));
    expect(afterFirstReview.value).to.equal('review');
    expect(reviewed().value).to.equal('approval');
    expect(approved().value).to.equal('signing');
    const oneSignature = run(approved(), event('SIGN', 'gyeonggi', 'signatory'));
    expect(oneSignature.value).to.equal('signing');
    expect(oneSignature.context.signedBy).to.deep.equal(['gyeonggi']);
    expect(run(oneSignature, event('SIGN', 'sverdlovsk', 'signatory')).value).to.equal('executed');
  });

  it('when the two parties approve in either order, then both orders reach the next stage', () => {
    const reversed = run(submitted(), event('APPROVE', 'gyeonggi', 'legal'), event('APPROVE', 'sverdlovsk', 'legal'));
    expect(reversed.value).to.equal('approval');
    expect(reversed.context.reviewedBy).to.have.members([...PARTIES]);
    const officialsReversed = run(reviewed(), event('APPROVE', 'sverdlovsk', 'official'), event('APPROVE', 'gyeonggi', 'official'));
    expect(officialsReversed.value).to.equal('signing');
  });

  it('when changes are requested in review or approval, then it returns to drafting and the approvals are cleared', () => {
    for (const [workflow, role] of [
      [run(submitted(), event('APPROVE', 'sverdlovsk', 'legal')), 'legal'],
      [run(reviewed(), event('APPROVE', 'gyeonggi', 'official')), 'official'],
    ] as const) {
      const back = run(workflow, event('REQUEST_CHANGES', 'gyeonggi', role));
      expect(back.value).to.equal('drafting');
      expect(back.context.reviewedBy).to.deep.equal([]);
      expect(back.context.approvedBy).to.deep.equal([]);
    }
  });

  it('when withdrawn before signing, then it is withdrawn for good', () => {
    for (const workflow of [startWorkflow(PARTIES), submitted(), reviewed()]) {
      const withdrawn = run(workflow, event('WITHDRAW', 'gyeonggi', 'official'));
      expect(withdrawn.value).to.equal('withdrawn');
      expect(nextEventsFor(withdrawn, { party: 'gyeonggi', role: 'official' })).to.deep.equal([]);
    }
    expect(step(approved(), event('WITHDRAW', 'sverdlovsk', 'official'))).to.deep.equal({ accepted: false, reason: 'not-now' });
  });

  describe('refused events', () => {
    const cases: [string, () => PersistedWorkflow, ReturnType<typeof event>, 'wrong-role' | 'not-now'][] = [
      ['an official submits', () => startWorkflow(PARTIES), event('SUBMIT', 'sverdlovsk', 'official'), 'wrong-role'],
      ['a signatory submits', () => startWorkflow(PARTIES), event('SUBMIT', 'gyeonggi', 'signatory'), 'wrong-role'],
      ['anyone approves a draft', () => startWorkflow(PARTIES), event('APPROVE', 'sverdlovsk', 'legal'), 'not-now'],
      ['anyone signs a draft', () => startWorkflow(PARTIES), event('SIGN', 'sverdlovsk', 'signatory'), 'not-now'],
      ['an official approves in review', submitted, event('APPROVE', 'sverdlovsk', 'official'), 'wrong-role'],
      ['legal staff approve twice', () => run(submitted(), event('APPROVE', 'gyeonggi', 'legal')), event('APPROVE', 'gyeonggi', 'legal'), 'not-now'],
      ['submitting again in review', submitted, event('SUBMIT', 'sverdlovsk', 'legal'), 'not-now'],
      ['legal staff approve in approval', reviewed, event('APPROVE', 'gyeonggi', 'legal'), 'wrong-role'],
      ['a signatory signs in approval', reviewed, event('SIGN', 'gyeonggi', 'signatory'), 'not-now'],
      ['an official signs', approved, event('SIGN', 'gyeonggi', 'official'), 'wrong-role'],
      ['a signatory signs twice', () => run(approved(), event('SIGN', 'gyeonggi', 'signatory')), event('SIGN', 'gyeonggi', 'signatory'), 'not-now'],
      ['changes are requested in signing', approved, event('REQUEST_CHANGES', 'gyeonggi', 'legal'), 'not-now'],
      ['a user sends a system event', approved, event('ENTER_INTO_FORCE', 'gyeonggi', 'official'), 'not-now'],
      ['notice is given before entry into force', approved, event('GIVE_NOTICE', 'gyeonggi', 'official'), 'not-now'],
      ['a stranger party acts', submitted, event('APPROVE', 'moscow', 'legal'), 'not-now'],
    ];
    for (const [scenario, workflow, refused, reason] of cases) {
      it(`when ${scenario}, then it is refused (${reason}) and the workflow is unchanged`, () => {
        const before = workflow();
        const snapshot = JSON.stringify(before);
        expect(step(before, refused)).to.deep.equal({ accepted: false, reason });
        expect(JSON.stringify(before)).to.equal(snapshot);
      });
    }
  });

  it('when asked what a user may do, then only the events the machine would accept from them are listed', () => {
    expect(nextEventsFor(startWorkflow(PARTIES), { party: 'sverdlovsk', role: 'legal' })).to.deep.equal(['SUBMIT', 'WITHDRAW']);
    expect(nextEventsFor(startWorkflow(PARTIES), { party: 'sverdlovsk', role: 'signatory' })).to.deep.equal([]);
    expect(nextEventsFor(submitted(), { party: 'gyeonggi', role: 'legal' })).to.deep.equal(['APPROVE', 'REQUEST_CHANGES', 'WITHDRAW']);
    expect(nextEventsFor(approved(), { party: 'gyeonggi', role: 'signatory' })).to.deep.equal(['SIGN']);
  });

  it('when a persisted snapshot is read back as JSON, then it continues exactly as before', () => {
    const restored = JSON.parse(JSON.stringify(run(reviewed(), event('APPROVE', 'gyeonggi', 'official'))));
    expect(run(restored, event('APPROVE', 'sverdlovsk', 'official')).value).to.equal('signing');
  });
});

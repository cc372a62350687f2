import { graphql } from '../../gql'

export const TemplatesDocument = graphql(`
  query PortalTemplates {
    templates(first: 100) {
      edges {
        node {
          id
          name
          eventType
          channel
          subject
          body
          delayMinutes
          active
          unknownPlaceholders
          updatedAt
        }
      }
    }
    templatePlaceholders
    projects(first: 100) {
      edges {
        node {
          id
          name
        }
      }
    }
  }
`)

export const PreviewDocument = graphql(`
  query PortalTemplatePreview($projectId: ID!, $eventType: String!, $body: String!, $subject: String) {
    templatePreview(projectId: $projectId, eventType: $eventType, body: $body, subject: $subject) {
      subject
      body
      unknownPlaceholders
    }
  }
`)

export const SaveDocument = graphql(`
  mutation PortalSaveTemplate($id: ID!, $input: TemplateInput!) {
    updateTemplate(id: $id, input: $input) {
      id
    }
  }
`)

export const ResetDocument = graphql(`
  mutation PortalResetTemplates($templateId: ID) {
    resetTemplates(templateId: $templateId) {
      id
    }
  }
`)
